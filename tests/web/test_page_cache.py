"""The public pages kept under the data version (reports.views.cached): asked again, a page is
served without asking the engine; a change a page shows (an approval, a retraction, a place
renamed ...) shows on the next request; two languages, two visitors and a moderator never share
what they should not; and the counter moves in the transaction of every such change, and only
then."""

import re
from datetime import date

import pytest

from gazetteer.models import Place
from reports import aggregates, services
from reports.exceptions import ActionRefused
from reports.selectors import exports as export_selectors
from reports.selectors.data_version import current_data_version
from tests.dashboard_data import QUESTION, _approved
from tests.web.test_dashboard import headline, table_rows, text_of

DASHBOARD = f"/dashboard/?{QUESTION}"
BRIEFING = f"/dashboard/briefing/?{QUESTION}"
EMBED = "/dashboard/embed/headline/?area=MMR002&start=2023-11-01&end=2023-12-31&metric=killed"


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


def killed(response) -> str:
    return headline(response)["Civilians killed"]["shown"]


# --- served again without counting again -----------------------------------------------------


def test_a_page_asked_again_is_served_without_asking_the_engine(client, scenario, engine_calls):
    first = client.get(DASHBOARD)
    asked = len(engine_calls)
    assert asked > 0
    again = client.get(DASHBOARD)
    assert len(engine_calls) == asked
    assert without_csrf(again) == without_csrf(first)
    assert killed(again) == "21"


def approve_five_killed(scenario, field_partner, moderator, file_report):
    """An approval the dashboard, its embeds and the evidence page all show: five more killed."""
    report = file_report(
        field_partner,
        title="Five killed near Demoso",
        place=scenario["shelling"].place,
        start_date=date(2023, 11, 25),
        end_date=None,
        figures=[dict(metric="killed", qualifier="exact", value=5)],
    )
    return _approved(report, field_partner, moderator)


# --- a change shows on the next request --------------------------------------------------------


def test_an_approval_shows_at_once(client, scenario, field_partner, moderator, file_report):
    assert killed(client.get(DASHBOARD)) == "21"
    assert "21" in text_of(client.get(EMBED))
    approve_five_killed(scenario, field_partner, moderator, file_report)
    assert killed(client.get(DASHBOARD)) == "26"
    assert "26" in text_of(client.get(EMBED))


def test_a_retraction_shows_at_once(client, scenario, moderator):
    assert killed(client.get(DASHBOARD)) == "21"
    assert "KNDF statement" in text_of(client.get(BRIEFING))
    services.report_retract(report=scenario["state"], actor=moderator, reason="Double count.")
    assert killed(client.get(DASHBOARD)) == "5"
    assert "KNDF statement" not in text_of(client.get(BRIEFING))


def test_a_place_renamed_shows_at_once(client, scenario):
    district = "/dashboard/?area=MMR002D001&start=2023-11-01&end=2023-12-31"
    assert [row[0] for row in table_rows(client.get(district), "area-table")][1:3] == [
        "Loikaw Township MMR002001",
        "Demoso Township MMR002002",
    ]
    # As the Place admin renames it (reports.admin.places), the service following.
    demoso = Place.objects.get(pcode="MMR002002")
    demoso.name_en = "Dimawso"
    demoso.save()
    services.places_follow_renames(place_ids=[scenario["shelling"].place_id])
    assert [row[0] for row in table_rows(client.get(district), "area-table")][1:3] == [
        "Loikaw Township MMR002001",
        "Dimawso Township MMR002002",
    ]


def test_a_source_renamed_shows_in_the_briefing_at_once(client, scenario, moderator):
    from tests.conftest import source_fields

    assert "KNDF statement" in text_of(client.get(BRIEFING))
    kndf = scenario["kndf"]
    services.source_update(
        actor=moderator, source=kndf, **source_fields(kndf, name="KNDF press release")
    )
    page = text_of(client.get(BRIEFING))
    assert "KNDF press release" in page and "KNDF statement" not in page


# --- never shared where it must not be ------------------------------------------------------


def test_two_languages_never_share_a_page(client, scenario):
    english = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en")
    burmese = client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="my")
    assert english["Content-Language"] == "en" and burmese["Content-Language"] == "my"
    assert "Civilians killed" in english.content.decode()
    assert "Civilians killed" not in burmese.content.decode()
    assert client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="en").content.decode().count(
        "Civilians killed"
    ) == english.content.decode().count("Civilians killed")


def test_two_languages_never_share_an_embed_or_a_briefing(client, scenario):
    english = client.get(f"{EMBED}&lang=en").content.decode()
    burmese = client.get(f"{EMBED}&lang=my").content.decode()
    assert '<html lang="en">' in english and '<html lang="my">' in burmese
    assert client.get(f"{EMBED}&lang=en").content.decode() == english
    english = client.get(BRIEFING, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    burmese = client.get(BRIEFING, HTTP_ACCEPT_LANGUAGE="my").content.decode()
    assert '<html lang="en">' in english and '<html lang="my">' in burmese


def test_a_moderators_name_and_token_are_never_kept(client, scenario, moderator, engine_calls):
    client.force_login(moderator)
    signed_in = client.get(DASHBOARD).content.decode()
    menu = f'title="Change your password">{moderator.get_username()}</a>'
    assert menu in signed_in
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]*)"', signed_in)[1]
    asked = len(engine_calls)
    client.logout()
    anonymous = client.get(DASHBOARD).content.decode()
    assert len(engine_calls) == asked  # served from the cache ...
    assert menu not in anonymous  # ... without what was not the page's
    assert token not in anonymous
    assert "Log in" in anonymous


def test_the_briefing_says_when_each_request_generated_it(client, scenario, settings):
    first = client.get(BRIEFING).content.decode()
    again = client.get(BRIEFING).content.decode()
    for page in (first, again):
        assert "\ue000" not in page
        assert re.search(r"Generated \d{1,2} \w{3} \d{4}, \d\d:\d\d \(Asia/Yangon\)", page)


def test_a_question_spelled_differently_is_its_own_entry(client, scenario):
    one = client.get("/dashboard/?area=MMR002&start=2023-11-01&end=2023-12-31&metric=killed")
    two = client.get(
        "/dashboard/?area=MMR002&start=2023-11-01&end=2023-12-31&metric=killed&metric=injured"
    )
    assert list(headline(one)) == ["Civilians killed"]
    assert list(headline(two)) == ["Civilians killed", "Civilians injured"]


# --- the counter ------------------------------------------------------------------------------


def test_the_version_moves_with_every_change_a_page_shows(
    scenario, moderator, field_partner, file_report
):
    def moved(change) -> bool:
        before = current_data_version()
        change()
        return current_data_version() > before

    report = file_report(field_partner, title="Another report")
    assert not moved(lambda: services.report_submit(report=report, actor=field_partner))
    assert moved(lambda: services.report_approve(report=report, actor=moderator))
    assert moved(lambda: services.report_retract(report=report, actor=moderator, reason="Dup."))
    assert moved(lambda: services.party_create(actor=moderator, name="A new armed group"))
    assert moved(
        lambda: services.context_event_create(
            actor=moderator,
            name="Operation 1111",
            kind="operation",
            start_date=date(2023, 11, 11),
            area="MMR002",
        )
    )
    assert moved(
        lambda: services.event_update(
            actor=moderator, event=scenario["event"], name="Flight from Loikaw", description=""
        )
    )
    assert not moved(
        lambda: services.event_update(
            actor=moderator, event=scenario["event"], name="Flight from Loikaw", description=""
        )
    )
    assert moved(lambda: aggregates.rebuild_summaries())
    assert moved(lambda: services.places_follow_renames(place_ids=[scenario["state"].place_id]))


def test_a_change_the_public_cannot_see_leaves_the_version(
    scenario, moderator, field_partner, file_report, evidence_root
):
    """Moving it would tell that something not public changed: the mirror file and the kept
    pages are made again at once (found by this session's leak scan)."""
    from reports.services import evidence as evidence_services
    from tests.conftest import source_fields
    from tests.web.test_evidence import attach, jpeg_with_gps

    def moved(change) -> bool:
        before = current_data_version()
        change()
        return current_data_version() > before

    informant = services.source_create(
        actor=field_partner, source_type="local_cso", name="Ward 3 monitor", is_confidential=True
    )
    cited = file_report(field_partner, title="Cited", sources=[informant])
    services.report_submit(report=cited, actor=field_partner)
    services.report_approve(report=cited, actor=moderator)

    def edit(**changes):
        fields = source_fields(informant) | changes
        return lambda: services.source_update(actor=moderator, source=informant, **fields)

    # A confidential source, cited by an approved report: its name and date are not public,
    # its type is.
    assert not moved(edit(name="Ward 3 monitor (Daw Mya)", is_confidential=True))
    assert not moved(edit(published_on=date(2023, 11, 20), is_confidential=True))
    assert moved(edit(source_type="field_observation", is_confidential=True))
    # A public source no approved report cites.
    loose = services.source_create(actor=moderator, source_type="news_media", name="Paper")
    fields = source_fields(loose) | {"name": "The Paper"}
    assert not moved(lambda: services.source_update(actor=moderator, source=loose, **fields))
    # A copy published on a report under review: public once it is approved.
    draft = file_report(field_partner, title="Under review")
    services.report_submit(report=draft, actor=field_partner)
    photo = attach(draft, moderator, "photo.jpg", jpeg_with_gps())
    assert not moved(lambda: evidence_services.evidence_publish(evidence=photo, actor=moderator))
    photo.refresh_from_db()
    assert not moved(lambda: evidence_services.evidence_withdraw(evidence=photo, actor=moderator))


def test_a_refused_change_leaves_the_version(scenario, moderator):
    before = current_data_version()
    with pytest.raises(ActionRefused):
        services.report_approve(report=scenario["state"], actor=moderator)
    assert current_data_version() == before


def test_exports_are_keyed_on_the_version(scenario, moderator):
    first = export_selectors.data_version()
    assert first == f"v{current_data_version()}"
    services.report_retract(report=scenario["state"], actor=moderator, reason="Double count.")
    assert export_selectors.data_version() != first


def test_a_parameter_no_page_reads_is_answered_without_the_cache(client, scenario, engine_calls):
    """A shared link's ?fbclid=... or a framing site's cache-buster: every made-up parameter
    would otherwise be a new entry and a new count."""
    from django.core.cache import caches

    caches["pages"].clear()
    client.get(f"{DASHBOARD}&fbclid=0")
    per_page = len(engine_calls)
    for n in (1, 2):
        assert client.get(f"{DASHBOARD}&fbclid={n}").status_code == 200
    assert len(engine_calls) == 3 * per_page  # counted each time
    assert list(caches["pages"]._cache) == []  # kept never (the tests' local-memory cache)

    client.get(DASHBOARD)
    client.get(DASHBOARD)
    assert len(engine_calls) == 4 * per_page  # the clean question counted once, then kept
    assert len(list(caches["pages"]._cache)) == 1


def test_the_key_carries_the_release(client, scenario, monkeypatch, engine_calls):
    """A new release (templates, catalogues, static files, code) never serves a page kept by an
    old one from a shared cache."""
    from reports.views import cached

    first = client.get(DASHBOARD)
    per_page = len(engine_calls)
    monkeypatch.setattr(cached, "release_stamp", lambda: "another-release")
    again = client.get(DASHBOARD)
    assert without_csrf(again) == without_csrf(first)
    assert len(engine_calls) == 2 * per_page  # counted again under the new release's key


def test_a_place_added_in_the_admin_shows_at_once(admin_client, client, scenario, places):
    """A new district is in the dashboard's list of areas on the next request (the admin's
    additions and deletions move the version as its renames do)."""
    assert "Newdistrict" not in client.get(DASHBOARD).content.decode()
    added = admin_client.post(
        "/admin/gazetteer/place/add/",
        {
            "pcode": "MMR002D009",
            "name_en": "Newdistrict",
            "name_local": "",
            "admin_level": 2,
            "kind": "District",
            "parent": places["kayah"].pk,
            "aliases-TOTAL_FORMS": 0,
            "aliases-INITIAL_FORMS": 0,
        },
    )
    assert added.status_code == 302
    assert "Newdistrict" in client.get(DASHBOARD).content.decode()

    place = Place.objects.get(pcode="MMR002D009")
    deleted = admin_client.post(f"/admin/gazetteer/place/{place.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert "Newdistrict" not in client.get(DASHBOARD).content.decode()


# --- the evidence page --------------------------------------------------------------------------

EVIDENCE = "/dashboard/evidence/?area=MMR002&start=2023-11-01&end=2023-12-31&metric=killed"


def main_of(page: str) -> str:
    return page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_evidence_page_is_kept_alike_for_a_moderator_and_the_public(
    client, scenario, moderator, engine_calls
):
    client.force_login(moderator)
    signed_in = client.get(EVIDENCE).content.decode()
    menu = f'title="Change your password">{moderator.get_username()}</a>'
    assert menu in signed_in
    assert "Two killed by a landmine near Demoso" in signed_in
    asked = len(engine_calls)
    client.logout()
    anonymous = client.get(EVIDENCE).content.decode()
    assert len(engine_calls) == asked  # served from what the moderator's request kept ...
    assert menu not in anonymous  # ... without the moderator's menu
    assert "Log in" in anonymous
    assert main_of(anonymous) == main_of(signed_in)
    # Neither copy holds what only the moderation area shows (the report awaiting review).
    for page in (signed_in, anonymous):
        assert "Unchecked" not in page
    client.force_login(moderator)
    again = client.get(EVIDENCE).content.decode()
    assert len(engine_calls) == asked
    assert menu in again and "Log in" not in again


def test_the_evidence_pages_own_parameters_are_part_of_the_key(client, scenario):
    assert "Two killed by a landmine" in client.get(EVIDENCE).content.decode()
    assert (
        "Two killed by a landmine" not in client.get(EVIDENCE + "&unspecified=1").content.decode()
    )
    assert "Two killed by a landmine" in client.get(EVIDENCE + "&page=1").content.decode()


def test_evidence_published_or_withdrawn_shows_on_the_evidence_page_at_once(
    client, scenario, moderator, evidence_root
):
    from reports.services import evidence as evidence_services
    from tests.web.test_evidence import attach, jpeg_with_gps

    assert "evidence-public" not in client.get(EVIDENCE).content.decode()
    photo = attach(scenario["december"], moderator, "photo.jpg", jpeg_with_gps())
    published = evidence_services.evidence_publish(evidence=photo, actor=moderator)
    link = f"/dashboard/evidence/files/{published.public_id}/"
    assert link in client.get(EVIDENCE).content.decode()
    evidence_services.evidence_withdraw(evidence=published, actor=moderator)
    assert link not in client.get(EVIDENCE).content.decode()


def test_an_approval_shows_on_the_evidence_page_at_once(
    client, scenario, field_partner, moderator, file_report
):
    assert "Five killed near Demoso" not in client.get(EVIDENCE).content.decode()
    approve_five_killed(scenario, field_partner, moderator, file_report)
    assert "Five killed near Demoso" in client.get(EVIDENCE).content.decode()
