"""Offline-first filing's server side (docs/offline.md): the service worker's script, the form
shell and the outbox page it keeps, the signed-in state with a CSRF token the outbox sends with,
and the partner's offline place list. Only partners (and moderators) get them; each carries the
Content-Security-Policy with no inline code and is never stored by a proxy."""

import json

import pytest

from reports import services
from tests.web.test_headers import assert_never_stored, assert_runs_only_what_the_policy_allows

PAGES = ["/partner/outbox/", "/partner/offline/form/"]
JSON = ["/partner/offline/state/", "/partner/offline/places/"]


@pytest.fixture
def partner_client(client, field_partner, places):
    client.force_login(field_partner)
    return client


def test_the_pages_carry_the_policy_no_inline_code_and_are_never_stored(partner_client):
    for path in PAGES:
        response = partner_client.get(path)
        markup = assert_runs_only_what_the_policy_allows(path, response)
        assert_never_stored(path, response)
        assert [s["src"] for s in markup.scripts][-2:] == [
            "/static/js/offline/store.js",
            "/static/js/offline/page.js",
        ]
    for path in JSON + ["/partner/sw.js"]:
        assert_never_stored(path, partner_client.get(path))


def test_the_worker_controls_the_partner_pages_and_says_where_its_files_are(partner_client):
    response = partner_client.get("/partner/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/partner/"
    body = response.content.decode()
    config = json.loads(body.split("self.OFFLINE = ", 1)[1].split(";\n", 1)[0])
    assert config["assets"] == [
        "/static/css/site.css",
        "/static/js/place-search.js",
        "/static/js/offline/store.js",
        "/static/js/offline/page.js",
    ]
    assert config["pages"] == {
        "form": "/partner/reports/new/",
        "shell": "/partner/offline/form/",
        "outbox": "/partner/outbox/",
        "places": "/partner/offline/places/",
        "search": "/partner/places/",
        "state": "/partner/offline/state/",
    }
    assert body.endswith(
        'importScripts("/static/js/offline/store.js", "/static/js/offline/sw.js");\n'
    )


def test_the_real_form_carries_the_outbox_note_and_a_key(partner_client):
    html = partner_client.get("/partner/reports/new/").content.decode()
    assert 'id="offline"' in html
    assert 'data-user="partner"' in html
    assert "data-shell" not in html
    assert 'name="submission_key" value=""' not in html


def test_the_kept_shell_has_no_key_and_no_confidential_source(
    partner_client, field_partner, news_source
):
    services.source_create(
        actor=field_partner,
        source_type="field_observation",
        name="Our informant in ward 3",
        is_confidential=True,
    )
    real = partner_client.get("/partner/reports/new/").content.decode()
    assert "Our informant in ward 3" in real  # the partner may cite it while connected
    shell = partner_client.get("/partner/offline/form/").content.decode()
    assert "Our informant in ward 3" not in shell
    assert "The Irrawaddy" in shell
    assert 'name="submission_key" value=""' not in shell
    assert 'name="submission_key"' in shell
    assert 'data-shell="1"' in shell


def test_the_outbox_page_says_javascript_is_needed_without_it(partner_client):
    html = partner_client.get("/partner/outbox/").content.decode()
    assert "<noscript>" in html
    assert "Keeping reports on the phone while offline needs JavaScript." in html
    assert 'id="outbox-list"' in html


def test_the_state_gives_the_user_and_a_csrf_token_or_says_log_in(client, field_partner):
    signed_out = client.get("/partner/offline/state/")
    assert signed_out.status_code == 401
    assert signed_out.json() == {"user": None, "error": "Log in to send."}
    client.force_login(field_partner)
    answer = client.get("/partner/offline/state/").json()
    assert answer["user"] == "partner"
    assert len(answer["csrf"]) == 64


def test_only_partners_and_moderators_get_the_offline_pages(client, advocate, moderator, places):
    for path in PAGES + ["/partner/offline/places/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    client.force_login(advocate)
    for path in PAGES + ["/partner/offline/places/"]:
        assert client.get(path).status_code == 403
    state = client.get("/partner/offline/state/")
    assert state.status_code == 403
    assert state.json()["user"] is None
    client.force_login(moderator)
    for path in PAGES + JSON:
        assert client.get(path).status_code == 200


def test_the_pages_refuse_to_be_posted_to(partner_client):
    for path in PAGES + JSON:
        assert partner_client.post(path).status_code == 405


def test_the_place_list_is_the_area_only_never_where_the_organisation_reported_from(
    partner_client, field_partner, places, settings
):
    answer = partner_client.get("/partner/offline/places/").json()
    assert answer["root"] == "MMR002"
    assert answer["places"] == [
        ["MMR", "Myanmar (MMR)", "Myanmar", "မြန်မာ"],
        ["MMR002", "Kayah State (MMR002)", "Kayah", ""],
        ["MMR002D001", "Loikaw District, Kayah State (MMR002D001)", "Loikaw", ""],
        ["MMR002002", "Demoso Township, Loikaw District, Kayah State (MMR002002)", "Demoso", ""],
        ["MMR002001", "Loikaw Township, Loikaw District, Kayah State (MMR002001)", "Loikaw", ""],
        [
            "MMR002001701",
            "Loikaw Town, Loikaw Township, Loikaw District, Kayah State (MMR002001701)",
            "Loikaw Town",
            "လွိုင်ကော်",
        ],
    ]
    # A smaller area, and a draft of the organisation outside it: the list, kept unencrypted
    # on the phone, does not tell where the organisation works (Loikaw Town is found online).
    settings.TRACKER_OFFLINE_PLACES_ROOT = "MMR002002"
    services.report_create(
        actor=field_partner,
        title="Shelling near Loikaw",
        place=places["loikaw_town"],
        start_date="2023-11-11",
        figures=[dict(metric="killed", qualifier="exact", value=2)],
    )
    answer = partner_client.get("/partner/offline/places/").json()
    assert answer["root"] == "MMR002002"
    assert [p[0] for p in answer["places"]] == ["MMR", "MMR002", "MMR002D001", "MMR002002"]
    # A root that names no place: nothing is kept.
    settings.TRACKER_OFFLINE_PLACES_ROOT = "MMR999"
    assert partner_client.get("/partner/offline/places/").json()["places"] == []


def test_the_outbox_says_what_it_keeps_and_how_long(partner_client):
    html = partner_client.get("/partner/outbox/").content.decode()
    assert "Sent reports stay listed for 7 days, by their number only." in html
    assert '<p id="outbox-others" class="help" hidden></p>' in html
    assert (
        'data-others="Reports kept by another account on this phone: %s. '
        'They are sent when that account signs in here."' in html
    )
    assert "data-other=" not in html


def test_the_workers_answers_are_compressed_for_the_form_s_weight(partner_client):
    for path in ["/partner/sw.js", "/partner/offline/places/"] + PAGES:
        response = partner_client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        assert response["Content-Encoding"] == "gzip", path
        assert "Accept-Encoding" in response["Vary"], path


def test_the_form_s_first_load_with_the_worker_s_downloads_stays_under_60_kb(partner_client):
    """Bytes as served (docs/offline.md): the form as Django sends it, the worker's answers
    compressed, the static files compressed as WhiteNoise serves them, each fetched once."""
    import gzip

    from django.contrib.staticfiles import finders

    served = 0
    for path in ["/partner/reports/new/", "/partner/sw.js"] + PAGES + ["/partner/offline/places/"]:
        served += len(partner_client.get(path, HTTP_ACCEPT_ENCODING="gzip").content)
    for name in ["css/site.css", "js/place-search.js"] + [
        f"js/offline/{name}.js" for name in ("store", "page", "sw")
    ]:
        with open(finders.find(name), "rb") as file:
            served += len(gzip.compress(file.read(), 9))
    assert served < 60_000, served
