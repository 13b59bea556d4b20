"""A partner keeps an exact mirror of the approved reports with two calls per sync:
/reports/?updated_since=<start of the last sync> page by page, then /retractions/ since the same
time. Reports are approved, edited, relinked and retracted between the pages; every sync still
ends with an exact copy."""

import pytest
from django.utils import timezone

from reports import publication, selectors, services
from tests import dashboard_data

pytestmark = pytest.mark.usefixtures("api_as_advocate")


def sync(api, mirror: dict, since, between_pages=()) -> tuple:
    """One sync; `between_pages` are changes made on the server after each page is read.
    Returns the time to pass as `since` next time, and how many pages were read."""
    started = timezone.now()
    params = {"page_size": 1}
    if since:
        params["updated_since"] = since.isoformat()
    changes = list(between_pages)
    response, pages = api.get("/api/v1/reports/", params), 0
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        pages += 1
        for report in data["results"]:
            mirror[report["id"]] = report
        if not data["next"]:
            break
        # A change after the last page belongs to the next sync; between pages, to this one.
        if changes:
            changes.pop(0)()
        response = api.get(data["next"])
    retractions = {"page_size": 2} | ({"updated_since": since.isoformat()} if since else {})
    url, query = "/api/v1/retractions/", retractions
    while url:
        data = api.get(url, query).json()
        for retraction in data["results"]:
            mirror.pop(retraction["report_id"], None)
        url, query = data["next"], None
    assert not changes, f"every change was made while paging ({pages} pages, {len(changes)} left)"
    return started, pages


def server_copy(api) -> dict:
    everything, url = {}, "/api/v1/reports/?page_size=1000"
    while url:
        data = api.get(url).json()
        everything.update({r["id"]: r for r in data["results"]})
        url = data["next"]
    return everything


def test_the_mirror_stays_exact_while_data_change_between_pages(
    api, client, places, field_partner, moderator, news_source, file_report
):
    s = dashboard_data.build(
        places=places,
        field_partner=field_partner,
        moderator=moderator,
        news_source=news_source,
        file_report=file_report,
    )

    def approve(title):
        return lambda: dashboard_data._approved(
            file_report(field_partner, title=title), field_partner, moderator
        )

    def retract(key):
        return lambda: services.report_retract(report=s[key], actor=moderator, reason="Wrong")

    def edit(key, title):
        return lambda: services.report_update(report=s[key], actor=moderator, title=title)

    def unlink(key):
        return lambda: services.report_link_event(report=s[key], event=None, actor=moderator)

    client.force_login(moderator)

    def rename_source(name):
        # In the admin, as a moderator would: every report citing it shows the new name.
        def rename():
            response = client.post(
                f"/admin/reports/source/{news_source.pk}/change/",
                {
                    "source_type": "news_media",
                    "name": name,
                    "title": news_source.title,
                    "url": news_source.url,
                    "published_on": str(news_source.published_on),
                    "language": "en",
                },
            )
            assert response.status_code == 302

        return rename

    mirror: dict = {}
    since, pages = sync(
        api,
        mirror,
        None,
        [
            approve("Approved after page 1"),
            retract("town"),  # already read on page 1
            edit("december", "Landmine near Demoso (edited before being read)"),
            retract("stock"),  # not read yet
            edit("township", "Township report edited after being read"),
            unlink("township"),
        ],
    )
    assert pages == 7
    assert mirror == server_copy(api)
    approved = set(selectors.public_reports().values_list("pk", flat=True))
    assert set(mirror) == approved
    assert mirror[s["december"].pk]["title"] == "Landmine near Demoso (edited before being read)"
    assert mirror[s["township"].pk]["event"] is None
    assert s["town"].pk not in mirror and s["stock"].pk not in mirror

    # Changes while nobody syncs, then an incremental sync that also sees changes mid-way.
    services.report_retract(report=s["state"], actor=moderator, reason="Duplicate")
    services.report_update(report=s["shelling"], actor=moderator, public_summary="Three killed.")
    services.report_update(report=s["township"], actor=moderator, title="Township, again")
    services.report_update(report=s["december"], actor=moderator, title="December, again")
    since, pages = sync(
        api,
        mirror,
        since,
        [approve("Third sync"), rename_source("The Irrawaddy (English)"), retract("december")],
    )
    assert mirror == server_copy(api)
    citing = [
        r for r in mirror.values() if any(x["id"] == news_source.public_id for x in r["sources"])
    ]
    assert citing and all(
        x["name"] == "The Irrawaddy (English)"
        for r in citing
        for x in r["sources"]
        if x["id"] == news_source.public_id
    )
    assert set(mirror) == set(selectors.public_reports().values_list("pk", flat=True))
    assert mirror[s["shelling"].pk]["public_summary"] == "Three killed."

    # Nothing changed since: the next sync re-reads at most what changed during the last one,
    # and the mirror stays exact.
    before = dict(mirror)
    sync(api, mirror, since)
    assert mirror == before == server_copy(api)
    assert publication.verify() == []
