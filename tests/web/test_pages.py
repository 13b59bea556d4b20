"""The public home page shows approved reports only, in their public shape."""

import re

from reports import services


def test_home_shows_only_approved_reports_in_public_shape(
    client, field_partner, moderator, file_report
):
    secret = services.source_create(
        actor=field_partner, source_type="local_cso", name="Camp committee X", is_confidential=True
    )
    approved = file_report(
        field_partner,
        title="Approved <b>report</b>",
        sources=[secret],
        internal_notes="Contact: U Ba, phone 09-555",
    )
    draft = file_report(field_partner, title="Draft report")
    services.report_submit(report=approved, actor=field_partner)
    services.report_approve(report=approved, actor=moderator)

    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Approved &lt;b&gt;report&lt;/b&gt;" in html
    assert "About 35,000 residents left the town." in html
    assert (
        "Newly displaced" not in html
        and "People newly displaced: approximately 35,000 people" in html
    )
    assert "confidential local source" in html
    for leaked in (
        "Camp committee X",
        "U Ba",
        "09-555",
        draft.title,
        "Loikaw monitors",
        "partner@example.org",
    ):
        assert leaked not in html
    assert "1 approved report " in html
    assert 'Loikaw Town · <span lang="my">လွိုင်ကော်</span>' in html


def test_home_and_the_queue_read_in_burmese_figures_included(
    client, field_partner, moderator, file_report
):
    report = file_report(field_partner, title="Residents flee")
    services.report_submit(report=report, actor=field_partner)
    client.cookies["django_language"] = "my"
    client.force_login(moderator)
    queue = client.get("/moderation/").content.decode()
    # The figure's qualifier and unit in Burmese (it read "approximately 35,000 လူဦးရေ").
    assert "အသစ် နေရပ်စွန့်ခွာရသူများ: လူဦးရေ ခန့်မှန်းခြေ 35,000" in queue
    assert "approximately" not in queue
    services.report_approve(report=report, actor=moderator)
    client.logout()  # which forgets every cookie
    client.cookies["django_language"] = "my"
    home = client.get("/").content.decode()
    assert "<h1>ကရင်နီ (ကယား) ပြည်နယ်ရှိ နေရပ်စွန့်ခွာမှုနှင့် အရပ်သားများ ထိခိုက်မှု</h1>" in home
    assert "နောက်ဆုံး အတည်ပြုပြီးသော အစီရင်ခံစာများ" in home
    assert "အသစ် နေရပ်စွန့်ခွာရသူများ: လူဦးရေ ခန့်မှန်းခြေ 35,000" in home


def test_places_are_named_unambiguously(client, places, field_partner, moderator, file_report):
    report = file_report(field_partner, place=places["loikaw"])
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    assert "Loikaw Township · 11 Nov 2023" in " ".join(client.get("/").content.decode().split())
    assert places["loikaw_town"].display_name == "Loikaw Town"
    assert places["loikaw_district"].display_name == "Loikaw District"
    assert places["kayah"].display_name == "Kayah"


def test_private_pages_are_never_stored_and_public_ones_may_be(client, moderator, field_partner):
    client.force_login(moderator)
    for path in ("/moderation/", "/admin/", "/accounts/password/change/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path
        assert "private" in response["Cache-Control"], path
    client.force_login(field_partner)
    assert "no-store" in client.get("/partner/")["Cache-Control"]
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]
    assert "no-store" not in client.get("/dashboard/").get("Cache-Control", "")


def test_every_page_names_the_icon_and_favicon_ico_leads_to_it(client, db):
    page = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon is not None and "favicon" in icon[1]
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (301, icon[1])
