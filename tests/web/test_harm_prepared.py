"""The IHL view filtered (a tag, a source type, a cause ...) counts columns from the base tables,
which at a million reports can take longer than a web request may (docs/caching.md). With a
worker sharing the pages' cache, such a page is made by the worker: the request that finds it
not ready answers "being counted" (202, a page that asks again by itself) and queues it once;
asked again, it is served. Without one (the embedded default), it is counted in the request."""

import pytest

from reports import tasks
from reports.views import cached
from reports.views import harm as harm_view
from tests.web.test_perpetrator_pages import harm, table  # noqa: F401 - the fixture

PAGE = "/dashboard/harm/?area=MMR002&start=2023-11-01&end=2023-11-30"
FILTERED = f"{PAGE}&source_type=news_media"


@pytest.fixture
def queued(settings, tmp_path, monkeypatch):
    """A worker that shares the pages' cache (a file cache here, Redis in deploy/): the tasks
    the pages queue, each kept to be run as the worker would."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = settings.CACHES | {
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "pages"),
        }
    }
    settings.TRACKER_PAGE_WAIT_SECONDS = 0
    calls = Queued()

    def apply_async(kwargs, **options):
        calls.append(kwargs)
        calls.queues.append(options.get("queue"))
        calls.expires.append(options.get("expires"))

    monkeypatch.setattr(tasks.prepare_harm_page, "apply_async", apply_async)
    return calls


class Queued(list):
    """The tasks' arguments, in order; `queues`: the queue each was sent to (None: the
    default one)."""

    def __init__(self):
        super().__init__()
        self.queues: list[str | None] = []
        self.expires: list[int | None] = []


def test_without_a_worker_a_filtered_page_is_counted_in_the_request(client, harm):  # noqa: F811
    response = client.get(FILTERED)
    assert response.status_code == 200
    _header, rows = table(response.content.decode(), "harm-perpetrator")
    assert rows["Homes destroyed"] == ["12", "0", "0", "0", "12"]


def test_a_filtered_page_is_made_by_the_worker_and_queued_once(client, harm, queued):  # noqa: F811
    first = client.get(FILTERED)
    assert first.status_code == 202
    assert first["Retry-After"] == "10"
    page = first.content.decode()
    assert '<meta http-equiv="refresh" content="10">' in page
    assert "These tables are being counted." in page
    assert 'id="harm-perpetrator"' not in page
    # Asked again before the worker is done: the same answer, nothing queued twice.
    assert client.get(FILTERED).status_code == 202
    # Nor for parameters the page ignores or spells otherwise: one page, one task.
    assert client.get(f"{FILTERED}&lang=xx&sort=name").status_code == 202
    reordered = (
        "/dashboard/harm/?source_type=news_media&end=2023-11-30&start=2023-11-01&area=MMR002"
    )
    assert client.get(reordered).status_code == 202
    assert len(queued) == 1
    assert (
        queued[0]["query"] == "start=2023-11-01&end=2023-11-30&area=MMR002&source_type=news_media"
    )
    assert queued.queues == [None]  # the worker's one queue unless another is named

    tasks.prepare_harm_page(**queued[0])  # the worker
    done = client.get(FILTERED)
    assert done.status_code == 200
    header, rows = table(done.content.decode(), "harm-perpetrator")
    assert header == ["Harm", "All", "KNDF", "SAC", "Unknown", "Not stated"]
    assert rows["Civilians killed"] == ["5", "0", "5", "0", "0"]
    assert rows["Homes destroyed"] == ["12", "0", "0", "0", "12"]
    assert len(queued) == 1


def test_a_page_the_summaries_answer_is_counted_in_the_request(client, harm, queued):  # noqa: F811
    response = client.get(PAGE)
    assert response.status_code == 200
    assert table(response.content.decode(), "harm-perpetrator")[1]["Civilians killed"] == [
        "5", "0", "5", "0", "0"
    ]  # fmt: skip
    assert queued == []


def test_the_worker_makes_the_page_in_the_language_it_was_asked_in(client, harm, queued):  # noqa: F811
    client.cookies["django_language"] = "my"
    waiting = client.get(FILTERED).content.decode()
    assert 'lang="my"' in waiting
    assert "These tables are being counted." not in waiting
    assert "ဤဇယားများကို ရေတွက်နေဆဲ ဖြစ်သည်။" in waiting
    assert queued[0]["language"] == "my"
    tasks.prepare_harm_page(**queued[0])
    header, _rows = table(client.get(FILTERED).content.decode(), "harm-perpetrator")
    assert header[1] == "အားလုံး"


def test_a_page_the_worker_could_not_make_says_so_and_is_not_queued_again(
    client,
    harm,  # noqa: F811
    queued,
    monkeypatch,
):
    assert client.get(FILTERED).status_code == 202

    def fails(*args):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(harm_view, "_harm_page", fails)
    with pytest.raises(RuntimeError):
        tasks.prepare_harm_page(**queued[0])
    response = client.get(FILTERED)
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "These tables could not be counted just now." in page
    assert 'http-equiv="refresh"' not in page
    assert len(queued) == 1


def test_past_the_limit_of_pages_queued_a_page_waits_its_turn(client, harm, queued, settings):  # noqa: F811
    settings.TRACKER_PAGES_QUEUED = 1
    assert client.get(FILTERED).status_code == 202
    other = client.get(f"{PAGE}&tag=church")
    assert other.status_code == 503
    assert "Many tables are being counted at the moment" in other.content.decode()
    assert len(queued) == 1
    tasks.prepare_harm_page(**queued[0])  # the first is made: room for the next
    assert client.get(f"{PAGE}&tag=church").status_code == 202
    assert len(queued) == 2


def test_a_page_asked_again_takes_no_second_place_in_the_queue(client, harm, queued, settings):  # noqa: F811
    settings.TRACKER_PAGES_QUEUED = 2
    assert [client.get(FILTERED).status_code for _ in range(3)] == [202, 202, 202]
    assert client.get(f"{PAGE}&tag=church").status_code == 202
    assert client.get(f"{PAGE}&tag=school").status_code == 503
    assert [call["query"].rpartition("&")[2] for call in queued] == [
        "source_type=news_media",
        "tag=church",
    ]
    # One made, one place free again: the next page queued.
    tasks.prepare_harm_page(**queued[1])
    assert client.get(f"{PAGE}&tag=school").status_code == 202
    assert len(queued) == 3


def test_when_the_broker_cannot_be_reached_the_page_is_counted_in_the_request(
    client,
    harm,  # noqa: F811
    queued,
    monkeypatch,
):
    def down(*args, **kwargs):
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(tasks.prepare_harm_page, "apply_async", down)
    response = client.get(FILTERED)
    assert response.status_code == 200
    assert table(response.content.decode(), "harm-perpetrator")[1]["Homes destroyed"] == [
        "12", "0", "0", "0", "12"
    ]  # fmt: skip


def test_a_worker_of_another_release_makes_nothing_and_the_page_is_queued_again(
    client,
    harm,  # noqa: F811
    queued,
):
    assert client.get(FILTERED).status_code == 202
    tasks.prepare_harm_page(**(queued[0] | {"release": "an-older-one"}))
    assert client.get(FILTERED).status_code == 202
    assert len(queued) == 2
    tasks.prepare_harm_page(**queued[1])
    assert client.get(FILTERED).status_code == 200


def test_a_queue_of_their_own_when_one_is_named(client, harm, queued, settings):  # noqa: F811
    settings.TRACKER_PAGES_QUEUE = "pages"
    assert client.get(FILTERED).status_code == 202
    assert queued.queues == ["pages"]
    # A task not started while the page is taken to be on its way is dropped: (4 + 1) x 300 s.
    assert queued.expires == [1500]


class Clock:
    """cached.py's time: monotonic() and sleep() on a clock of its own; `during_sleep` is run
    at the first pause (the worker making the page meanwhile)."""

    def __init__(self, during_sleep=None):
        self.now = 100.0
        self.pauses: list[float] = []
        self.during_sleep = during_sleep

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds
        if self.during_sleep is not None:
            self.during_sleep()
            self.during_sleep = None


def test_the_request_that_queued_a_page_waits_for_the_worker_and_serves_it(
    client,
    harm,  # noqa: F811
    queued,
    settings,
    monkeypatch,
):
    settings.TRACKER_PAGE_WAIT_SECONDS = 8
    clock = Clock(during_sleep=lambda: tasks.prepare_harm_page(**queued[0]))
    monkeypatch.setattr(cached, "time", clock)
    response = client.get(FILTERED)
    assert response.status_code == 200
    assert table(response.content.decode(), "harm-perpetrator")[1]["Homes destroyed"] == [
        "12", "0", "0", "0", "12"
    ]  # fmt: skip
    assert clock.pauses == [0.05]  # found at the first look after the worker kept it
    assert len(queued) == 1


def test_a_page_not_made_within_the_wait_is_being_counted(
    client,
    harm,  # noqa: F811
    queued,
    settings,
    monkeypatch,
):
    settings.TRACKER_PAGE_WAIT_SECONDS = 1
    clock = Clock()
    monkeypatch.setattr(cached, "time", clock)
    assert client.get(FILTERED).status_code == 202
    # Looked for again after pauses doubling up to half a second, to the end of the wait.
    assert clock.pauses == pytest.approx([0.05, 0.1, 0.2, 0.4, 0.25])
    assert clock.now == pytest.approx(101.0)
    # Asked again: waiting already, no second wait and no second task.
    assert client.get(FILTERED).status_code == 202
    assert len(clock.pauses) == 5
    assert len(queued) == 1
