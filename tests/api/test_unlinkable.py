"""Nothing the API serves links confidential sources or counts unapproved work (DOMAIN.md,
"Visibility and protection"): opaque cursors, the retractions' own ids, the sources list, and
unapproved ids answered as ids that do not exist."""

import base64
import csv
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography import fernet
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from reports import publication, services
from reports.models import Event, PublicReport, Report, ReportHistory, Source, core
from tests import dashboard_data

pytestmark = pytest.mark.usefixtures("api_as_advocate")

LISTS = [
    "/api/v1/reports/",
    "/api/v1/sources/",
    "/api/v1/events/",
    "/api/v1/places/",
    "/api/v1/retractions/",
]
INVALID_CURSOR = (
    "Invalid cursor: use the `next` or `previous` link of a page of this same list, unchanged."
)


def cursor_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["cursor"][0]


def raw(cursor: str) -> bytes:
    return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))


def walk(api, url: str) -> tuple[list[dict], list[str]]:
    """Every item of a list, page by page, and the cursors followed."""
    items, cursors = [], []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        items += data["results"]
        url = data["next"]
        if url:
            cursors.append(cursor_of(url))
    return items, cursors


@pytest.fixture
def retracted(scenario, moderator):
    """Two retractions with other moderation between them."""
    services.report_retract(report=scenario["december"], actor=moderator, reason="Duplicate")
    services.event_create(actor=moderator, name="Between the retractions")
    services.report_retract(report=scenario["state"], actor=moderator, reason="Wrong place")
    return [scenario["december"], scenario["state"]]


# --- cursors ------------------------------------------------------------------------------------


def test_a_cursor_shows_neither_the_position_nor_drfs_tokens(api, scenario, monkeypatch):
    # A fixed IV and time; the position encrypted is a source's public id, drawn at random, so
    # the bytes differ from run to run: DRF's tokens are looked for with a digit after them
    # ("p=3"), which random bytes hold about once in 3,700 runs, not bare ("p="), which they
    # held about once in 150 (a CI run failed so).
    monkeypatch.setattr(fernet.os, "urandom", lambda n: b"\x07" * n)
    monkeypatch.setattr(fernet.time, "time", lambda: 1_700_000_000)
    page = api.get("/api/v1/sources/?page_size=1").json()
    last_id = page["results"][0]["id"]
    cursor = raw(cursor_of(page["next"]))
    assert not re.search(rb"[por]=[0-9]", cursor)
    assert str(last_id).encode() not in cursor
    assert b"position" not in cursor and b"null" not in cursor


def test_cursors_differ_every_time_and_keep_one_length(api, scenario, places):
    first = cursor_of(api.get("/api/v1/sources/?page_size=1").json()["next"])
    again = cursor_of(api.get("/api/v1/sources/?page_size=1").json()["next"])
    assert first != again
    # Both lead to the same page.
    assert (
        api.get(f"/api/v1/sources/?page_size=1&cursor={first}").json()["results"]
        == (api.get(f"/api/v1/sources/?page_size=1&cursor={again}").json()["results"])
    )
    # A small id and a long P-code path: the same length, so the length says nothing either.
    place_cursor = cursor_of(api.get("/api/v1/places/?page_size=1").json()["next"])
    assert len(raw(first)) == len(raw(place_cursor))


@pytest.mark.parametrize("url", LISTS)
def test_paging_one_by_one_returns_every_item_once_in_order(
    api, scenario, retracted, moderator, url
):
    shelling = services.event_create(actor=moderator, name="Shelling near Demoso")
    services.report_link_event(report=scenario["shelling"], event=shelling, actor=moderator)
    everything = api.get(url).json()["results"]
    assert len(everything) >= 2
    items, cursors = walk(api, f"{url}?page_size=1")
    assert items == everything
    assert len(cursors) == len(everything) - 1
    # And back: `previous` links are opaque too and lead to the same pages.
    data = api.get(f"{url}?page_size=1&cursor={cursors[-1]}").json()
    previous = api.get(data["previous"]).json()
    assert previous["results"] == [everything[-2]]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if c[-2:] != "AA" else "BB"),  # the tag changed
        lambda c: c[:10] + ("A" if c[10] != "A" else "B") + c[11:],  # the nonce changed
        lambda c: c[:-6],  # cut short
        lambda c: base64.b64encode(b"p=1").decode(),  # DRF's own cursor, made by hand
        lambda c: "nonsense",
    ],
)
def test_a_tampered_cursor_is_refused_clearly(api, scenario, tamper):
    cursor = cursor_of(api.get("/api/v1/sources/?page_size=1").json()["next"])
    response = api.get("/api/v1/sources/", {"page_size": 1, "cursor": tamper(cursor)})
    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": INVALID_CURSOR, "attr": None}],
    }


def test_a_cursor_works_only_on_the_list_it_was_made_for(api, scenario):
    cursor = cursor_of(api.get("/api/v1/sources/?page_size=1").json()["next"])
    for url in ["/api/v1/reports/", "/api/v1/events/", "/api/v1/retractions/"]:
        response = api.get(url, {"cursor": cursor})
        assert response.status_code == 404
        assert response.json()["errors"][0]["detail"] == INVALID_CURSOR


def test_a_cursor_made_with_another_secret_key_is_refused(api, scenario, settings):
    cursor = cursor_of(api.get("/api/v1/sources/?page_size=1").json()["next"])
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another deployment's secret key, long enough for Django"
    assert api.get("/api/v1/sources/", {"cursor": cursor}).status_code == 404
    # After a key rotation the old key, kept as a fallback, still reads the cursors it made.
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert api.get("/api/v1/sources/", {"cursor": cursor}).status_code == 200


# --- the retractions feed -----------------------------------------------------------------------


def test_retractions_carry_their_own_opaque_stable_ids(api, scenario, retracted):
    entries = list(ReportHistory.objects.filter(action="retract").order_by("created_at", "id"))
    first = api.get("/api/v1/retractions/").json()["results"]
    again = api.get("/api/v1/retractions/").json()["results"]
    assert first == again  # stable: a mirror can tell a retraction it has seen
    assert [r["report_id"] for r in first] == [retracted[0].pk, retracted[1].pk]
    ids = [r["id"] for r in first]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == 2
    assert [e.pk for e in entries] != ids and not set(map(str, (e.pk for e in entries))) & set(ids)
    rows = list(
        csv.DictReader(io.StringIO(api.get("/api/v1/retractions/?format=csv").content.decode()))
    )
    assert [r["id"] for r in rows] == ids


# --- the sources list ---------------------------------------------------------------------------


def build_citations(*, shared: bool, moderator, field_partner, file_report):
    """Two approved reports citing one confidential source (shared) or one each."""
    first = services.source_create(
        actor=field_partner,
        source_type="local_cso",
        name="Camp committee X",
        is_confidential=True,
    )
    second = first
    if not shared:
        second = services.source_create(
            actor=field_partner,
            source_type="local_cso",
            name="Another camp committee",
            is_confidential=True,
        )
    for source in (first, second):
        dashboard_data._approved(
            file_report(field_partner, title="Homes burned", sources=[source]),
            field_partner,
            moderator,
        )


@pytest.mark.parametrize("shared", [True, False])
def test_the_sources_list_reads_the_same_for_one_shared_or_two_confidential_sources(
    api, news_source, moderator, field_partner, file_report, shared
):
    build_citations(
        shared=shared, moderator=moderator, field_partner=field_partner, file_report=file_report
    )
    confidential = {
        "id": None,
        "source_type": "local_cso",
        "label": "confidential local source",
        "is_confidential": True,
        "conflict_of_interest": False,
        "name": None,
        "title": None,
        "url": None,
        "published_on": None,
        "language": None,
    }
    assert api.get("/api/v1/sources/").json()["results"] == [confidential, confidential]
    items, _ = walk(api, "/api/v1/sources/?page_size=1")
    assert items == [confidential, confidential]
    assert api.get("/api/v1/sources/?source_type=local_cso").json()["results"] == [
        confidential,
        confidential,
    ]


def test_public_source_ids_are_drawn_at_random_and_leave_no_gap_where_a_confidential_one_is(
    api, moderator, field_partner, file_report, monkeypatch
):
    """Sources added one after another, a confidential one between two public ones: counted
    ids would list the public two with a gap between them, and the gap would tell that one
    confidential source exists (and which reports could share it). Their public ids are drawn,
    so their order and spacing say nothing of when, or between what, each was added."""
    draws = iter([300, 200, 100])
    monkeypatch.setattr(core.secrets, "randbelow", lambda n: next(draws))
    first = services.source_create(actor=moderator, source_type="news_media", name="Myanmar Now")
    hidden = services.source_create(
        actor=field_partner, source_type="local_cso", name="Camp committee", is_confidential=True
    )
    second = services.source_create(actor=moderator, source_type="news_media", name="Mizzima")
    for source in (first, hidden, second):
        dashboard_data._approved(
            file_report(field_partner, title=source.name, sources=[source]),
            field_partner,
            moderator,
        )
    low = core.PUBLIC_ID_RANGE[0]
    assert (first.public_id, hidden.public_id, second.public_id) == (
        low + 300,
        low + 200,
        low + 100,
    )
    listed = api.get("/api/v1/sources/").json()["results"]
    assert [(s["id"], s["name"]) for s in listed] == [
        (low + 100, "Mizzima"),
        (low + 300, "Myanmar Now"),
        (None, None),
    ]
    reports = api.get("/api/v1/reports/").json()["results"]
    assert sorted((r["title"], r["sources"][0]["id"]) for r in reports) == [
        ("Camp committee", None),
        ("Mizzima", low + 100),
        ("Myanmar Now", low + 300),
    ]
    assert not {first.pk, second.pk} & {s["id"] for s in listed}


@pytest.mark.django_db(transaction=True)
def test_the_migration_draws_every_sources_public_id_and_rewrites_the_public_records(api, scenario):
    """Migration 0039 on a database whose public records named sources by their database
    ids: each source gets a public id, and each record naming a public source says it, exactly
    as a record built now would, and is marked changed (a partner following `updated_since`
    fetches it again)."""
    call_command("migrate", "reports", "0038", verbosity=0)

    # As the records were before it (and are again when it is taken back): by database id.
    def named():
        return {
            (record.pk, source["id"])
            for record in PublicReport.objects.all()
            for source in json.loads(record.document)["sources"]
        }

    cited = list(
        Report.sources.through.objects.filter(report__public_record__isnull=False).values_list(
            "report_id", "source_id", "source__is_confidential"
        )
    )
    assert named() == {(report, None if hidden else source) for report, source, hidden in cited}
    before = dict(PublicReport.objects.values_list("pk", "changed_at"))
    call_command("migrate", "reports", verbosity=0)
    ids = list(Source.objects.values_list("public_id", flat=True))
    low, high = core.PUBLIC_ID_RANGE
    assert len(set(ids)) == len(ids) and all(low <= i < high for i in ids)
    assert publication.verify() == []
    # A source the previous release added while the upgrade ran (after 0039, before 0040)
    # gets its own id too.
    call_command("migrate", "reports", "0039", verbosity=0)
    with connection.cursor() as cursor:
        for name in ("Added during the upgrade", "And another"):
            cursor.execute(
                "INSERT INTO reports_source (source_type, name, title, url, language,"
                " is_confidential, created_at) VALUES ('news_media', %s, '', '', '', %s, %s)",
                [name, False, timezone.now()],
            )
    call_command("migrate", "reports", verbosity=0)
    late = Source.objects.filter(name__in=["Added during the upgrade", "And another"])
    ids = set(Source.objects.values_list("public_id", flat=True))
    assert len(ids) == Source.objects.count() and all(low <= i < high for i in ids)
    assert late.count() == 2
    assert publication.verify() == []
    public_ids = dict(Source.objects.values_list("pk", "public_id"))
    assert named() == {
        (report, None if hidden else public_ids[source]) for report, source, hidden in cited
    }
    changed = {
        pk: at > before[pk] for pk, at in PublicReport.objects.values_list("pk", "changed_at")
    }
    naming = {report for report, _source, hidden in cited if not hidden}
    assert changed == {pk: pk in naming for pk in before}
    # Each at its own time: the API pages by it, and a run of equal times longer than DRF's
    # cursor can skip would page for ever.
    times = PublicReport.objects.filter(pk__in=naming).values_list("changed_at", flat=True)
    assert len(set(times)) == len(naming)
    listed = {s["id"] for s in api.get("/api/v1/sources/").json()["results"]} - {None}
    public = Source.objects.filter(is_confidential=False, reports__public_record__isnull=False)
    assert listed == set(public.values_list("public_id", flat=True))


# --- unapproved answers as absent ---------------------------------------------------------------


def _same_modulo_id(one, other, one_id, other_id):
    """The same status and body, but for the id asked about (a whole number)."""

    def without(number, response):
        return re.sub(rf"(?<![\w.]){number}(?!\w|\.\d)", "N", response.content.decode())

    assert one.status_code == other.status_code
    assert without(one_id, one) == without(other_id, other)


def absent_id(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1000


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events/{}/",
        "/api/v1/events/{}/?format=csv",
        "/api/v1/aggregates/?event={}",
        "/api/v1/aggregates/?event={}&format=csv",
        "/api/v1/reports/?event={}",
        "/api/v1/reports/?event={}&format=csv",
    ],
)
def test_an_event_with_only_unapproved_reports_answers_as_one_that_does_not_exist(
    api, unapproved_event, path
):
    missing = absent_id(Event)
    _same_modulo_id(
        api.get(path.format(unapproved_event.pk)),
        api.get(path.format(missing)),
        unapproved_event.pk,
        missing,
    )


@pytest.mark.parametrize("kind", ["submitted", "draft", "rejected", "retracted"])
@pytest.mark.parametrize("fmt", ["json", "csv", "hxl", "geojson"])
def test_an_unapproved_report_answers_as_one_that_does_not_exist(
    api, scenario, moderator, field_partner, file_report, kind, fmt
):
    if kind == "submitted":
        report = scenario["submitted"]
    elif kind == "draft":
        report = file_report(field_partner, title="Draft in progress")
    elif kind == "rejected":
        report = scenario["submitted"]
        services.report_reject(report=report, actor=moderator, reason="No source")
    else:
        report = scenario["december"]
        services.report_retract(report=report, actor=moderator, reason="Wrong")
    missing = absent_id(Report)
    _same_modulo_id(
        api.get(f"/api/v1/reports/{report.pk}/?format={fmt}"),
        api.get(f"/api/v1/reports/{missing}/?format={fmt}"),
        report.pk,
        missing,
    )
    assert api.get(f"/api/v1/reports/{report.pk}/").status_code == 404
