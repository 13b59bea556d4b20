"""The alleged perpetrator on the web: the report form (a select, a tick per attributing
source, a source's issuing party), the moderators' list of parties, the IHL view's two tables,
the evidence page's attributions (a confidential source by its type only) and the download."""

import csv
import io
import re

import pytest

from reports import services
from reports.models import Party, Report
from tests.web.test_partner import form_key, report_data


@pytest.fixture
def partner_client(client, field_partner, places):
    client.force_login(field_partner)
    return client


def test_the_form_files_the_perpetrator_and_its_sources(partner_client, parties, news_source):
    page = partner_client.get("/partner/reports/new/")
    html = page.content.decode()
    assert '<option value="" selected>Not stated</option>' in html
    assert '<option value="unknown">Unknown (a source says it is not known)</option>' in html
    assert '<option value="sac">Myanmar military (SAC)</option>' in html
    data = report_data(
        form_key(page),
        save="1",
        perpetrator="sac",
        **{
            "sources-0-attributes_perpetrator": "on",
            "sources-1-existing": str(news_source.public_id),
            "sources-1-attributes_perpetrator": "on",
        },
    )
    assert partner_client.post("/partner/reports/new/", data).status_code == 302
    saved = Report.objects.get()
    assert saved.perpetrator == parties["sac"]
    assert sorted(s.name for s in saved.perpetrator_sources.all()) == [
        "Our monitor in Loikaw",
        "The Irrawaddy",
    ]
    detail = partner_client.get(f"/partner/reports/{saved.pk}/").content.decode()
    assert "<dt>Alleged perpetrator</dt><dd>Myanmar military (SAC)</dd>" in detail
    assert detail.count("names the alleged perpetrator") == 2
    edit = partner_client.get(f"/partner/reports/{saved.pk}/edit/").content.decode()
    assert '<option value="sac" selected>Myanmar military (SAC)</option>' in edit
    assert len(re.findall(r'name="sources-\d-attributes_perpetrator"[^>]*checked', edit)) == 2


def test_the_form_refuses_an_attribution_without_a_perpetrator(partner_client, parties):
    page = partner_client.get("/partner/reports/new/")
    data = report_data(form_key(page), save="1", **{"sources-0-attributes_perpetrator": "on"})
    response = partner_client.post("/partner/reports/new/", data)
    assert response.status_code == 400
    assert "No alleged perpetrator is stated" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_party_source_typed_in_the_form_names_its_issuer(partner_client, parties):
    page = partner_client.get("/partner/reports/new/")
    data = report_data(
        form_key(page),
        save="1",
        perpetrator="kndf",
        **{
            "sources-0-source_type": "party_to_conflict",
            "sources-0-name": "KNDF information office",
            "sources-0-is_confidential": None,
            "sources-0-party": "kndf",
            "sources-0-attributes_perpetrator": "on",
        },
    )
    assert partner_client.post("/partner/reports/new/", data).status_code == 302
    source = Report.objects.get().perpetrator_sources.get()
    assert (source.name, source.party) == ("KNDF information office", parties["kndf"])


def test_moderators_keep_the_list_of_parties(client, moderator, field_partner, parties):
    client.force_login(field_partner)
    assert client.get("/moderation/parties/").status_code == 403
    client.force_login(moderator)
    page = client.get("/moderation/parties/").content.decode()
    assert "Myanmar military (SAC)" in page and "<code>unknown</code>" in page
    added = client.post(
        "/moderation/parties/",
        {"name": "Karenni Army", "short_name": "KA", "kind": "resistance", "name_my": ""},
    )
    assert added.status_code == 302
    ka = Party.objects.get(slug="ka")
    refused = client.post(
        "/moderation/parties/", {"name": "karenni army", "short_name": "KA2", "kind": "resistance"}
    )
    assert refused.status_code == 400
    assert "There is already a party named" in refused.content.decode()
    assert Party.objects.count() == 3
    edited = client.post(
        f"/moderation/parties/{ka.pk}/",
        {"name": "Karenni Army", "short_name": "KA", "kind": "resistance", "name_my": "ကရင်နီတပ်မတော်"},
    )
    assert edited.status_code == 302
    ka.refresh_from_db()
    assert (ka.slug, ka.name_my, ka.history.count()) == ("ka", "ကရင်နီတပ်မတော်", 2)


@pytest.fixture
def harm(file_report, field_partner, moderator, news_source, parties):
    """Killed and damaged in Kayah, November 2023, with every kind of attribution."""
    secret = services.source_create(
        actor=field_partner,
        source_type="local_cso",
        name="Camp committee X",
        is_confidential=True,
    )
    specs = [
        ("Airstrike", "airstrike", "sac", [news_source, secret], [("killed", 3)]),
        ("Shelling", "artillery", "sac", [news_source], [("killed", 2), ("schools_damaged", 1)]),
        ("Raid", "raid", "kndf", [news_source], [("detained", 4)]),
        ("Landmine", "landmine", "unknown", [news_source], [("injured", 5)]),
        ("Fire", "arson", "", [news_source], [("homes_destroyed", 12)]),
    ]
    made = {}
    for title, cause, perpetrator, sources, figures in specs:
        report = file_report(
            field_partner,
            title=title,
            cause=cause,
            sources=sources,
            figures=[{"metric": m, "value": v} for m, v in figures],
            perpetrator=perpetrator,
            perpetrator_sources=sources if perpetrator else [],
        )
        services.report_submit(report=report, actor=field_partner)
        services.report_approve(report=report, actor=moderator)
        made[title] = report
    return made


def table(html, table_id):
    body = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    header = re.findall(r'<th scope="col">([^<]*)</th>', body)
    rows = {}
    for row in re.findall(r"<tr>\s*(.*?)</tr>", body.split("<tbody>")[1], re.S):
        name = re.search(r'<th scope="row">([^<]*)</th>', row).group(1)
        rows[name] = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
    return header, rows


def test_the_ihl_view_tables(client, harm):
    response = client.get("/dashboard/harm/?area=MMR002&start=2023-11-01&end=2023-11-30")
    assert response.status_code == 200
    html = response.content.decode()
    header, rows = table(html, "harm-cause")
    assert header == ["Harm", "All", "Airstrike", "Artillery or shelling", "Arson",
                      "Landmine or explosive remnant", "Raid"]  # fmt: skip
    assert rows["Civilians killed"] == ["5", "3", "2", "0", "0", "0"]
    assert rows["Civilians injured"] == ["5", "0", "0", "0", "5", "0"]
    assert rows["Civilians detained or abducted"] == ["4", "0", "0", "0", "0", "4"]
    assert rows["Homes destroyed"] == ["12", "0", "0", "12", "0", "0"]
    assert rows["Schools damaged"] == ["1", "0", "1", "0", "0", "0"]
    header, rows = table(html, "harm-perpetrator")
    assert header == ["Harm", "All", "KNDF", "SAC", "Unknown", "Not stated"]
    assert rows["Civilians killed"] == ["5", "0", "5", "0", "0"]
    assert rows["Civilians detained or abducted"] == ["4", "4", "0", "0", "0"]
    assert rows["Civilians injured"] == ["5", "0", "0", "5", "0"]
    assert rows["Homes destroyed"] == ["12", "0", "0", "0", "12"]
    assert rows["Religious buildings damaged"] == ["0", "0", "0", "0", "0"]
    # Each number links to the evidence for its filter.
    assert (
        'href="/dashboard/evidence/?start=2023-11-01&amp;end=2023-11-30&amp;area=MMR002&amp;'
        'metric=killed&amp;perpetrator=sac"' in html
    )
    assert "Attributions are allegations." in html
    assert 'href="/dashboard/harm/?start=2023-11-01&amp;end=2023-11-30&amp;area=MMR002"' in (
        client.get("/dashboard/?area=MMR002&start=2023-11-01&end=2023-11-30").content.decode()
    )


def test_the_ihl_view_refuses_an_unknown_party_by_name(client, harm):
    response = client.get("/dashboard/harm/?perpetrator=nobody")
    assert response.status_code == 400
    assert "Unknown party &#x27;nobody&#x27;" in response.content.decode()


def test_the_evidence_shows_each_attribution_and_a_confidential_source_by_type(client, harm):
    html = client.get("/dashboard/evidence/?metric=killed&perpetrator=sac").content.decode()
    assert "Alleged perpetrator: <strong>Myanmar military (SAC)</strong>" in html
    assert (
        'an allegation by <a href="https://www.irrawaddy.com/" rel="noopener noreferrer '
        'nofollow">The Irrawaddy, 13 Nov 2023: Karenni Armed Group Seizes Seven Myanmar Junta '
        "Bases Since Saturday</a>; confidential local source." in html
    )
    assert "Camp committee X" not in html


def test_the_download_carries_the_perpetrator(client, harm):
    response = client.get("/dashboard/download/reports.csv?metric=killed&metric=injured")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["title"], r["perpetrator"], r["perpetrator_name"]) for r in rows] == [
        ("Airstrike", "sac", "Myanmar military"),
        ("Shelling", "sac", "Myanmar military"),
        ("Landmine", "unknown", "unknown"),
    ]
    assert rows[0]["perpetrator_sources"] == (
        "The Irrawaddy, 13 Nov 2023: Karenni Armed Group Seizes Seven Myanmar Junta Bases Since "
        "Saturday; confidential local source"
    )


def test_the_review_page_shows_the_allegation_and_whose_claim_it_is(
    client, moderator, file_report, field_partner, parties
):
    statement = services.source_create(
        actor=moderator,
        source_type="party_to_conflict",
        name="KNDF information office",
        party=parties["kndf"],
    )
    report = file_report(
        moderator,
        organization=field_partner.membership.organization,
        sources=[statement],
        perpetrator="kndf",
        perpetrator_sources=[statement],
    )
    client.force_login(moderator)
    html = client.get(f"/moderation/reports/{report.pk}/").content.decode()
    assert (
        "<dt>Alleged perpetrator</dt><dd>Karenni Nationalities Defence Force (KNDF)<br>"
        '<span class="meta">An allegation by: KNDF information office (claimed by Karenni '
        "Nationalities Defence Force (KNDF) itself)</span></dd>" in html
    )
