"""The headers that keep what a page shows where it belongs: a Content-Security-Policy on every
page (no script or style runs unless it is the tracker's own file or carries the response's
nonce), and `Cache-Control: no-store` on every page that shows what is not public."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from reports import services

# The policy without a nonce: what a page with no inline block gets (directive: sources; the
# header lists the directives in no fixed order).
POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
NONCE = re.compile(r"'nonce-([A-Za-z0-9+/=]+)'")


class Markup(HTMLParser):
    """What a page asks the browser to run or style: its <script> and <style> elements and
    every on*= handler, style= attribute and javascript: link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[dict] = []  # {"src", "nonce", "body"}
        self.styles: list[dict] = []  # {"nonce", "body"}
        self.handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.javascript_urls: list[str] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._open = {
                "src": attributes.get("src"),
                "nonce": attributes.get("nonce"),
                "body": "",
            }
            self.scripts.append(self._open)
        elif tag == "style":
            self._open = {"nonce": attributes.get("nonce"), "body": ""}
            self.styles.append(self._open)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open["body"] += data


def read(response) -> Markup:
    markup = Markup()
    markup.feed(response.content.decode())
    return markup


def policy(response) -> dict[str, list[str]]:
    parts = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {part[0]: part[1:] for part in parts if part}


def header_nonce(response) -> str | None:
    """The nonce the policy allows, the same in script-src and style-src (or None)."""
    directives = policy(response)
    found = {
        NONCE.fullmatch(source).group(1)
        for name in ("script-src", "style-src")
        for source in directives[name]
        if NONCE.fullmatch(source)
    }
    assert len(found) <= 1, response["Content-Security-Policy"]
    return found.pop() if found else None


def assert_runs_only_what_the_policy_allows(path, response):
    """Every inline <script> and <style> carries the header's nonce; every other script is a
    file of the tracker's own; nothing runs from an attribute."""
    assert response.status_code == 200, path
    assert "Content-Security-Policy" in response, path
    markup = read(response)
    nonce = header_nonce(response)
    inline = [s for s in markup.scripts if not s["src"]] + markup.styles
    for block in inline:
        assert nonce is not None and block["nonce"] == nonce, (path, block["body"][:80])
    if not inline:
        assert policy(response) == POLICY, path
    for script in markup.scripts:
        if script["src"]:
            assert script["src"].startswith("/"), (path, script["src"])
    assert markup.handlers == [], path
    assert markup.style_attributes == [], path
    assert markup.javascript_urls == [], path
    return markup


@pytest.fixture
def reports(field_partner, moderator, file_report):
    """A draft, a submitted and an approved report of the monitors."""
    draft = file_report(field_partner, title="Draft")
    submitted = file_report(field_partner, title="Submitted")
    services.report_submit(report=submitted, actor=field_partner)
    approved = file_report(field_partner, title="Approved")
    services.report_submit(report=approved, actor=field_partner)
    services.report_approve(report=approved, actor=moderator)
    return {"draft": draft, "submitted": submitted, "approved": approved}


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x-pass-1")


QUESTION = "?area=MMR002&start=2023-11-01&end=2023-11-30"
PUBLIC_PAGES = [
    "/",
    "/dashboard/",
    f"/dashboard/{QUESTION}",
    f"/dashboard/evidence/{QUESTION}&metric=newly_displaced",
    f"/dashboard/briefing/{QUESTION}",
    "/dashboard/downloads/",
    "/api/docs/",
]
ACCOUNT_PAGES_SIGNED_OUT = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/sent/",
    "/accounts/password/reset/done/",
]


def partner_pages(reports):
    draft, approved = reports["draft"].pk, reports["approved"].pk
    return [
        "/partner/",
        "/partner/reports/new/",
        f"/partner/reports/{draft}/",
        f"/partner/reports/{draft}/edit/",
        f"/partner/reports/{approved}/",
        "/partner/places/?q=Loi",
        "/accounts/password/change/",
        "/accounts/password/change/done/",
    ]


def moderation_pages(reports):
    return [
        "/moderation/",
        f"/moderation/reports/{reports['submitted'].pk}/",
        f"/moderation/reports/{reports['approved'].pk}/",
        "/accounts/password/change/",
    ]


def admin_pages(superuser):
    """The admin's index, and every registered model's list, add form and first change form."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    pages = ["/admin/", "/admin/password_change/"]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(request):
            pages.append(reverse(f"{prefix}_add"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(reverse(f"{prefix}_change", args=[first.pk]))
    return pages


# --- Content-Security-Policy ----------------------------------------------------------------


def test_public_pages_carry_the_policy_and_no_inline_code(client, reports, scenario):
    for path in PUBLIC_PAGES + ACCOUNT_PAGES_SIGNED_OUT:
        assert_runs_only_what_the_policy_allows(path, client.get(path))


def test_the_pages_of_every_role_carry_the_policy_and_no_inline_code(
    client, reports, field_partner, moderator, superuser
):
    client.force_login(field_partner)
    for path in partner_pages(reports) + PUBLIC_PAGES:
        assert_runs_only_what_the_policy_allows(path, client.get(path))
    client.force_login(moderator)
    for path in moderation_pages(reports) + ["/admin/"] + PUBLIC_PAGES:
        assert_runs_only_what_the_policy_allows(path, client.get(path))
    client.force_login(superuser)
    pages = admin_pages(superuser)
    assert len(pages) > 20
    for path in pages:
        assert_runs_only_what_the_policy_allows(path, client.get(path))


def test_the_dashboard_policy_is_exact_and_its_charts_are_server_drawn_svg(client, scenario):
    response = client.get("/dashboard/" + QUESTION)
    assert policy(response) == POLICY
    markup = assert_runs_only_what_the_policy_allows("/dashboard/", response)
    html = response.content.decode()
    assert html.count('<svg class="chart"') == 4
    assert '<svg class="map"' in html
    assert markup.scripts == []


def test_the_api_docs_run_their_inline_blocks_with_the_nonce_and_self_hosted_files(client):
    response = client.get("/api/docs/")
    markup = assert_runs_only_what_the_policy_allows("/api/docs/", response)
    nonce = header_nonce(response)
    assert nonce is not None and len(nonce) >= 22
    assert policy(response) == {
        **POLICY,
        "script-src": ["'self'", f"'nonce-{nonce}'"],
        "style-src": ["'self'", f"'nonce-{nonce}'"],
    }
    assert [s["src"] for s in markup.scripts] == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        None,
    ]
    start_up = markup.scripts[-1]
    assert start_up["nonce"] == nonce
    assert "SwaggerUIBundle({" in start_up["body"]
    # No badge fetched from validator.swagger.io (the policy would refuse it anyway).
    assert '"validatorUrl": null' in start_up["body"]
    assert [s["nonce"] for s in markup.styles] == [nonce]


def test_every_response_has_its_own_nonce(client):
    first, second = client.get("/api/docs/"), client.get("/api/docs/")
    assert header_nonce(first) != header_nonce(second)
    assert read(second).scripts[-1]["nonce"] == header_nonce(second)


def test_the_api_answers_carry_the_policy_too(client, reports):
    response = client.get("/api/v1/reports/")
    assert response.status_code == 200
    assert policy(response) == POLICY


# --- Cache-Control: no-store ------------------------------------------------------------------


def assert_never_stored(path, response):
    assert response.status_code in (200, 201, 202, 302), (path, response.status_code)
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "must-revalidate", "private", "max-age=0"} <= cache_control, (
        path,
        response["Cache-Control"],
    )


def assert_may_be_stored(path, response):
    assert response.status_code == 200, path
    assert "no-store" not in response.get("Cache-Control", ""), path


def test_every_private_page_is_never_stored(client, reports, field_partner, moderator, superuser):
    signed_out = ["/accounts/start/", "/admin/login/", "/partner/", "/moderation/", "/admin/"]
    for path in ACCOUNT_PAGES_SIGNED_OUT + signed_out:
        # Signed out, the private areas answer with a redirect to the login page: not kept.
        assert_never_stored(path, client.get(path))
    client.force_login(field_partner)
    for path in partner_pages(reports):
        assert_never_stored(path, client.get(path))
    client.force_login(moderator)
    for path in moderation_pages(reports):
        assert_never_stored(path, client.get(path))
    client.force_login(superuser)
    for path in admin_pages(superuser):
        assert_never_stored(path, client.get(path))


def test_a_private_page_that_is_not_found_is_not_stored_either(client, moderator):
    client.force_login(moderator)
    response = client.get("/moderation/reports/999999/")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]


def test_the_api_answers_to_a_submission_are_never_stored(superuser, organizations, places):
    api_client, key = services.api_client_create(
        actor=superuser,
        name="Monitors' uploader",
        organization=organizations["monitors"],
        can_submit=True,
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = {
        "title": "Residents flee Loikaw",
        "place": "MMR002001701",
        "start_date": "2023-11-11",
        "end_date": "2023-11-13",
        "cause": "ground_assault",
        "public_summary": "About 35,000 residents left the town.",
        "figures": [{"metric": "newly_displaced", "qualifier": "approximately", "value": 35000}],
    }
    answer = api.post("/api/v1/submissions/", body, format="json")
    assert answer.status_code == 201
    assert_never_stored("/api/v1/submissions/", answer)
    refused = api.post("/api/v1/submissions/", {"title": ""}, format="json")
    assert refused.status_code == 400
    assert "no-store" in refused["Cache-Control"]

    _form, token = services.kobo_form_create(
        actor=superuser,
        name="Loikaw incident form",
        client=api_client,
        mapping={"title": "title", "place_pcode": "pcode", "start_date": "day"},
    )
    kobo = APIClient().post(
        f"/api/v1/ingest/kobo/{token}/",
        {"_uuid": "7c9a1c2e", "title": "Shelling", "pcode": "MMR002001701", "day": "2023-11-11"},
        format="json",
    )
    assert kobo.status_code in (201, 202)
    assert_never_stored("/api/v1/ingest/kobo/", kobo)


def test_public_pages_may_be_stored(client, reports, scenario, advocate):
    for path in PUBLIC_PAGES + ["/api/v1/reports/", "/api/v1/aggregates/?area=MMR002"]:
        assert_may_be_stored(path, client.get(path))
    # The public pages stay public for a signed-in advocate too.
    client.force_login(advocate)
    for path in PUBLIC_PAGES:
        assert_may_be_stored(path, client.get(path))
