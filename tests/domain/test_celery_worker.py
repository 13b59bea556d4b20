"""The real background path, once: a Celery worker started against a real broker (Redis in
CI) receives the tasks queued after commit and sends the e-mails, and makes a page that takes
long to count into the pages' cache it shares with the web process (another Redis database).

Runs only when TRACKER_TEST_BROKER_URL names a broker, and on PostgreSQL (the worker is
another process and must see the same test database). `.ci/run` sets both.
"""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import environ
import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from kombu import pools as kombu_pools

from reports import services
from reports.models import Notification
from reports.views import cached
from tests.web.test_perpetrator_pages import harm, table  # noqa: F401 - the fixture
from tracker.celery import app as celery_app

BROKER = os.environ.get("TRACKER_TEST_BROKER_URL", "")
# The pages' cache the worker shares with the web process: the broker's Redis, another database.
PAGES_CACHE = f"{BROKER.rsplit('/', 1)[0]}/14" if BROKER.startswith("redis://") else ""

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not BROKER, reason="set TRACKER_TEST_BROKER_URL to run a real worker"),
]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _reconnect_celery(**conf):
    """Point the app at another broker. Eager runs earlier in this process left a producer
    pool on the in-memory transport and cached queues; drop them so the new settings apply."""
    celery_app.conf.update(conf)
    # The app's pools are kombu's, shared by broker address: closed, they must leave kombu's
    # registry too, or the next worker of this run (the same address) is given a closed pool.
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@pytest.fixture
def worker(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can share: run on PostgreSQL")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The pages on a queue of their own, as deploy/compose.yaml has them, consumed beside it.
    settings.TRACKER_PAGES_QUEUE = f"{queue}-pages"
    saved = {
        k: celery_app.conf[k] for k in ("task_always_eager", "broker_url", "task_default_queue")
    }
    _reconnect_celery(task_always_eager=False, broker_url=BROKER, task_default_queue=queue)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = os.environ | {
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "TRACKER_CACHE_URL": PAGES_CACHE,
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tracker",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            f"{queue},{queue}-pages",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield mail_dir
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        _reconnect_celery(**saved)
        print((tmp_path / "worker.log").read_text()[-3000:])


def _wait_for_mail(mail_dir: Path, count: int, timeout: float = 60) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = sorted(mail_dir.glob("*.log"))
        texts = [f.read_text() for f in files]
        # Mail first, then the row is marked sent: wait for both.
        marked = Notification.objects.filter(sent_at__isnull=False).count()
        if sum(t.count("Subject: ") for t in texts) >= count and marked >= count:
            return texts
        time.sleep(0.2)
    raise AssertionError(f"the worker sent fewer than {count} e-mails in {timeout}s")


def test_a_real_worker_sends_the_notifications(worker, field_partner, moderator, file_report):
    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)  # commits, then queues
    # The worker re-reads the report: had it been approved already, the stale "awaits
    # review" notice would (rightly) not be sent. So let it arrive first.
    _wait_for_mail(worker, 1)
    services.report_approve(report=report, actor=moderator, note="Matches the Irrawaddy.")
    mail = "\n".join(_wait_for_mail(worker, 2))
    assert f"Subject: [Tracker] Report #{report.pk} awaits review" in mail
    assert "To: moderator@example.org" in mail
    assert f"Subject: [Tracker] Report #{report.pk}: approved" in mail
    assert "To: partner@example.org" in mail
    assert "Message from the moderator:\nMatches the Irrawaddy." in mail
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    # The worker marked each notice of the outbox sent, and its mail carries the delivery id.
    notices = list(Notification.objects.order_by("pk"))
    assert [(n.kind, n.attempts, n.sent_at is not None) for n in notices] == [
        ("awaits_review", 1, True),
        ("decision", 1, True),
    ]
    for notice in notices:
        assert f"Message-ID: <{notice.delivery_id}@127.0.0.1>" in mail


def test_a_real_worker_makes_a_page_that_takes_long_to_count(worker, client, settings, harm):  # noqa: F811
    if not PAGES_CACHE:
        pytest.skip("the worker shares a Redis cache with this process: a redis:// broker")
    settings.CACHES = settings.CACHES | {"pages": environ.Env.cache_url_config(PAGES_CACHE)}
    settings.TRACKER_PAGE_WAIT_SECONDS = 0
    caches["pages"].clear()  # nothing of an earlier run (a page, a mark that one is queued)
    page = "/dashboard/harm/?area=MMR002&start=2023-11-01&end=2023-11-30&source_type=news_media"
    assert client.get(page).status_code == 202  # queued; the worker makes it
    deadline = time.monotonic() + 60
    while (response := client.get(page)).status_code == 202 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert response.status_code == 200
    header, rows = table(response.content.decode(), "harm-perpetrator")
    assert header == ["Harm", "All", "KNDF", "SAC", "Unknown", "Not stated"]
    assert rows["Civilians killed"] == ["5", "0", "5", "0", "0"]
    assert rows["Homes destroyed"] == ["12", "0", "0", "0", "12"]


def test_requests_at_once_on_redis_take_each_place_in_the_queue_once(settings):
    """Twelve requests queueing twelve pages at the same moment, three places: three get one,
    each its own (cached._take_slot's add() is SET NX in Redis)."""
    if not PAGES_CACHE:
        pytest.skip("needs the broker's Redis: a redis:// broker")
    settings.CACHES = settings.CACHES | {"pages": environ.Env.cache_url_config(PAGES_CACHE)}
    settings.TRACKER_PAGES_QUEUED = 3
    caches["pages"].clear()
    start = threading.Barrier(12)
    taken: dict[str, bool] = {}

    def queue(page: str) -> None:
        start.wait()
        taken[page] = cached._take_slot(caches["pages"], page)  # this thread's own client

    threads = [threading.Thread(target=queue, args=(f"page-{n}",)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = sorted(page for page, took in taken.items() if took)
    assert len(taken) == 12
    assert len(winners) == 3
    places = [caches["pages"].get(f"{cached._SLOT_PREFIX}{n}") for n in range(3)]
    assert sorted(places) == winners
