"""Headline cards, the briefing (its key messages, its period in words, its PDF), the charts
as files and the embeds, through the Django test client on the dashboard's Kayah scenario."""

import html
import io
import re
import sys

import pytest

from reports import aggregates, services
from tests import dashboard_data
from tests.dashboard_data import QUESTION
from tests.web.test_dashboard import headline, table_rows, text_of

NOVEMBER = "area=MMR002&start=2023-11-01&end=2023-11-30"


@pytest.fixture
def hand_built(monkeypatch, places):
    """An "at least" total, a stale approximate stock with two dates, and a range."""
    from tests.api.test_aggregate_shape import hand_built_answer

    monkeypatch.setattr(aggregates, "answer", lambda question, **_: hand_built_answer(question))


def weasyprint_or_skip():
    """WeasyPrint with its system libraries; without them these tests are skipped, except in
    CI, where .ci/run installs them."""
    import os

    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"WeasyPrint cannot load its libraries: {error}")


# --- headline cards -------------------------------------------------------------------------


def card_texts(response) -> dict[str, str]:
    page = response.content.decode()
    items = re.findall(r'<li class="(?:stock|flow)[^"]*">(.*?)</li>', page, re.S)
    cards = {}
    for item in items:
        text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split())
        label = html.unescape(re.search(r'<span class="label">([^<]+)</span>', item)[1])
        cards[label] = text
    return cards


def test_cards_say_range_at_least_approximately_as_of_stale_and_what_is_behind(client, hand_built):
    response = client.get(
        "/dashboard/?start=2023-11-01&end=2023-12-31"
        "&metric=newly_displaced,currently_displaced,killed"
    )
    cards = card_texts(response)
    assert cards == {
        "People newly displaced": (
            "People newly displaced at least 2,000,000 range from 1,500,000, no upper bound "
            "from 2 events, 3 sources Flow: summed over the period"
        ),
        "People currently displaced": (
            "People currently displaced approximately 40,000 range 35,000–40,000 as of 1 May "
            "2023–18 Nov 2023 Stale a figure standing is more than 180 days old at the period's "
            "end from 1 event, 2 sources Stock: latest figure at the period's end"
        ),
        "Civilians killed": (
            "Civilians killed 21 range 19–25 from 3 events, 3 sources Flow: summed over the period"
        ),
    }
    page = response.content.decode()
    assert '<li class="stock stale">' in page
    assert '<strong class="stale-mark" title="a figure standing is more than 180' in page


def test_metrics_with_nothing_counted_collapse_into_one_line(client, scenario):
    response = client.get(f"/dashboard/?{QUESTION}")
    assert list(headline(response)) == [
        "People newly displaced",
        "People currently displaced",
        "Civilians killed",
        "Civilians injured",
    ]
    assert (
        "Nothing approved for: people returned, civilians detained or abducted, homes "
        "destroyed, religious buildings damaged, health facilities damaged, schools damaged."
    ) in text_of(response)
    cards = card_texts(response)
    # Sources as the public counts them: the confidential camp committee once per report.
    assert cards["Civilians killed"] == (
        "Civilians killed 21 from 3 events, 3 sources Flow: summed over the period"
    )
    assert cards["People newly displaced"].startswith(
        "People newly displaced at least 40,000 range from 35,000, no upper bound from 1 event, "
        "1 source"
    )
    # Each number links to its evidence.
    url = html.unescape(headline(response)["Civilians injured"]["url"])
    assert url.startswith("/dashboard/evidence/?") and "metric=injured" in url


# --- the briefing ---------------------------------------------------------------------------


def test_key_messages_from_the_numbers(client, scenario):
    text = text_of(client.get(f"/dashboard/briefing/?{QUESTION}"))
    messages = text.split("Key messages ", 1)[1].split(" Headline numbers", 1)[0]
    assert messages == (
        "At least 40,000 people newly displaced (range from 35,000, no upper bound), from 1 "
        "event, 1 source. "
        "At least 40,000 people currently displaced (as of 18 Nov 2023), from 1 event, 1 source. "
        "People newly displaced: at least 40,000 in 1 November – 31 December 2023; none "
        "approved in the 61 days before (1 September – 31 October 2023). "
        "Leading cause or means of civilians killed: ground assault or armed clash, 16 of 21, "
        "from 1 event, 1 source."
    )


def test_the_leading_alleged_perpetrator_is_a_key_message(client, scenario, moderator):
    services.party_create(actor=moderator, name="Myanmar military", short_name="SAC")
    services.report_update(report=scenario["state"], actor=moderator, perpetrator="sac")
    text = text_of(client.get(f"/dashboard/briefing/?{QUESTION}"))
    assert (
        "Alleged perpetrator most often named for civilians killed (a claim of the sources "
        "cited): SAC, 16 of 21, from 1 event, 1 source."
    ) in text


def test_the_change_is_the_engines_answer_for_the_period_before(client, scenario):
    december = client.get("/dashboard/briefing/?area=MMR002&start=2023-12-01&end=2023-12-31")
    text = text_of(december)
    assert (
        "Civilians killed: 2 in 1–31 December 2023, down from 19 in 31 October – 30 November 2023."
    ) in text
    before = dashboard_data.engine("area=MMR002&start=2023-10-31&end=2023-11-30&metric=killed")
    assert before.totals["killed"].best == 19


def test_briefing_title_says_the_period_in_words_and_tables_have_no_empty_rows(client, scenario):
    response = client.get(f"/dashboard/briefing/?{QUESTION}&metric=injured")
    text = text_of(response)
    assert "<h1>Kayah, 1 November – 31 December 2023</h1>" in response.content.decode()
    # Loikaw District has the injured; the unspecified row (only the state's killed) is left out.
    assert table_rows(response, "area-table") == [
        ["Area", "Civilians injured"],
        ["Loikaw District MMR002D001", "5 4–6"],
        ["Total: Kayah", "5 4–6"],
    ]
    assert "The full method, rule by rule with examples:" in text
    assert "#method" in re.search(r'<a href="([^"]+)" class="url">', response.content.decode())[1]


def test_a_question_without_an_end_says_the_period_its_data_covers(client, scenario):
    response = client.get("/dashboard/briefing/?area=MMR002&start=2023-11-01")
    page = response.content.decode()
    # The December landmine report (5 Dec) is the last day any counted figure covers.
    assert "<h1>Kayah, 1 November – 5 December 2023</h1>" in page
    assert "today" not in text_of(response).lower()


def test_briefing_shows_the_map_the_charts_and_public_sources_only(client, scenario):
    response = client.get(f"/dashboard/briefing/?{QUESTION}")
    page = response.content.decode()
    assert page.count('<svg class="map"') == 1
    assert page.count('<svg class="chart') == 4
    text = text_of(response)
    assert "confidential local source" in text and "Camp committee X" not in page
    assert "U Ba" not in page and "Unchecked: 999 killed" not in page
    assert '<a href="/dashboard/briefing.pdf?' in page


# --- the PDF --------------------------------------------------------------------------------


def test_pdf_of_the_briefing(client, scenario):
    weasyprint_or_skip()
    import pypdfium2

    response = client.get(f"/dashboard/briefing.pdf?{NOVEMBER}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="tracker-kayah-2023-11-01-2023-11-30-briefing.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(response.content)
    assert 1 <= len(document) <= 2
    first_page = document[0].get_textpage().get_text_range()
    document.close()
    assert "Kayah, 1–30 November 2023" in first_page
    assert "Camp committee X" not in first_page


def test_pdf_without_weasyprint_says_what_to_install(client, scenario, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails
    response = client.get(f"/dashboard/briefing.pdf?{NOVEMBER}")
    assert response.status_code == 503
    assert response["Content-Type"] == "text/html; charset=utf-8"
    text = text_of(response)
    assert (
        "The PDF is made with WeasyPrint, which needs the Pango and HarfBuzz libraries. On "
        "Debian or Ubuntu an administrator installs them with: apt-get install libpango-1.0-0 "
        "libpangoft2-1.0-0 libharfbuzz-subset0"
    ) in text
    assert "use your browser's Print" in text
    page = response.content.decode()
    assert f'<a href="/dashboard/briefing/?{NOVEMBER.replace("&", "&amp;")}' not in page
    assert re.search(r'<a href="/dashboard/briefing/\?[^"]*area=MMR002', page)
    # The briefing page itself still works.
    assert client.get(f"/dashboard/briefing/?{NOVEMBER}").status_code == 200


# --- charts as files ------------------------------------------------------------------------


def test_chart_as_a_standalone_svg_with_its_title_styles_and_source(client, scenario):
    response = client.get(f"/dashboard/chart/killed.svg?{QUESTION}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="tracker-kayah-2023-11-01-2023-12-31-chart-killed.svg"'
    )
    svg = response.content.decode()
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org')
    assert "<style>" in svg and "svg.chart rect.bar { fill: #8a1c1c }" in svg
    assert ":not(" not in svg  # resvg, which makes the PNG and the PDF, knows no :not()
    assert "var(--" not in svg  # the colours written out
    assert (
        '<text class="file-title" x="12" y="32">Civilians killed: Kayah, 1 Nov 2023 – 31 Dec'
        in (svg)
    )
    assert "Source: Karenni displacement &amp; civilian harm tracker" in svg
    assert 'href="http://testserver/dashboard/evidence/?' in svg  # links work outside the site
    assert "<p" not in svg  # the page's HTML key is said in the file's own lines
    from xml.etree import ElementTree

    ElementTree.fromstring(svg.split("\n", 1)[1])  # noqa: S314 - our own output, well-formed


def test_chart_as_png(client, scenario):
    from PIL import Image

    response = client.get(f"/dashboard/chart/killed.png?{QUESTION}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG" and image.width == 1440


def test_chart_files_refuse_what_has_no_chart(client, scenario):
    response = client.get(f"/dashboard/chart/schools_damaged.svg?{QUESTION}")
    assert response.status_code == 404
    assert response.content.decode() == (
        "Nothing approved for Schools damaged in Kayah, 1 Nov 2023 – 31 Dec 2023, so there is "
        "no chart."
    )
    assert client.get(f"/dashboard/chart/killed.gif?{QUESTION}").status_code == 404
    bad = client.get("/dashboard/chart/refugees.svg?area=MMR002")
    assert bad.status_code == 400
    assert bad.content.decode().startswith("The chart was not made: metric: Unknown metric")


def test_dashboard_links_each_chart_file_and_offers_embed_snippets(client, scenario):
    page = client.get(f"/dashboard/?{QUESTION}").content.decode()
    assert page.count('" download>SVG</a> · <a href="/dashboard/chart/') == 4
    assert 'href="/dashboard/chart/killed.png?start=2023-11-01&amp;end=2023-12-31' in page
    snippets = re.findall(r"<textarea readonly[^>]*>(.*?)</textarea>", page, re.S)
    assert len(snippets) == 4 + 4 + 1  # each counted headline, each chart, the map
    assert html.unescape(snippets[0]) == (
        '<iframe src="http://testserver/dashboard/embed/headline/?start=2023-11-01&amp;'
        "end=2023-12-31&amp;area=MMR002&amp;metric=newly_displaced&amp;period=month&amp;"
        'lang=en" title="People newly displaced: Kayah, 1 Nov 2023 – 31 Dec 2023" width="320" '
        'height="220" loading="lazy" style="border:0;max-width:100%"></iframe>'
    )
    # Copied from the Burmese page: the embed in Burmese, taller for Burmese lines.
    client.cookies["django_language"] = "my"
    page = client.get(f"/dashboard/?{QUESTION}").content.decode()
    burmese = html.unescape(re.findall(r"<textarea readonly[^>]*>(.*?)</textarea>", page, re.S)[0])
    assert 'lang=my" title="' in burmese and 'width="320" height="300"' in burmese


# --- embeds ---------------------------------------------------------------------------------


def test_embed_headers_allow_framing_and_public_caching(client, scenario):
    response = client.get(f"/dashboard/embed/headline/?{QUESTION}&metric=killed")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Vary"] == "Accept-Language, Cookie"
    assert response["Content-Language"] == "en"
    # Every other page still refuses to be framed.
    page = client.get(f"/dashboard/?{QUESTION}")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]


@pytest.mark.parametrize("kind", ["headline", "chart", "map"])
def test_embeds_keep_the_policy_but_may_be_framed_anywhere(client, scenario, kind):
    from tests.web.test_headers import POLICY, policy, read

    response = client.get(f"/dashboard/embed/{kind}/?{QUESTION}&metric=newly_displaced")
    assert policy(response) == {**POLICY, "frame-ancestors": ["*"]}
    markup = read(response)
    assert markup.scripts == [] and markup.style_attributes == []
    assert response["Cache-Control"] == "public, max-age=300"


def test_embed_headline_is_the_dashboards_number_with_a_link_back(client, scenario):
    response = client.get(f"/dashboard/embed/headline/?{QUESTION}&metric=injured")
    page = response.content.decode()
    assert '<base target="_top">' in page  # links open in the top window, not the frame
    text = text_of(response)
    assert (
        "Civilians injured Kayah, 1 Nov 2023 – 31 Dec 2023 5 range 4–6. From 1 event, 1 source."
        in (text)
    )
    assert (
        '<a href="http://testserver/dashboard/evidence/?start=2023-11-01&amp;end=2023-12-31&amp;'
        'area=MMR002&amp;metric=injured&amp;period=month">The events and sources behind it</a>'
    ) in page
    assert len(response.content) < 3000
    assert "<script" not in page


def test_embed_rounds_for_display_only(client, places, field_partner, moderator, file_report):
    report = file_report(
        field_partner, figures=[dict(metric="newly_displaced", qualifier="exact", value=35123)]
    )
    dashboard_data._approved(report, field_partner, moderator)
    response = client.get("/dashboard/embed/headline/?metric=newly_displaced")
    page = response.content.decode()
    assert '<span aria-hidden="true">≈</span>35,100</a>' in page
    assert "exactly 35,123." in text_of(response)


def test_burmese_key_messages_are_punctuated_in_burmese(client, scenario):
    """A Burmese sentence joins its parts with "၊" and ends with "။", not a comma and a full
    stop (the screenshot walk found "ဖြစ်ရပ် 1 ခုမှ, ... ခု.")."""
    client.cookies["django_language"] = "my"
    text = text_of(client.get(f"/dashboard/briefing/?{QUESTION}"))
    assert "ဖြစ်ရပ် 1 ခုမှ၊ သတင်းရင်းမြစ် 1 ခု။" in text
    assert "ဖြစ်ရပ် 1 ခုမှ," not in text


def test_embed_chart_and_map_and_burmese(client, scenario):
    chart = client.get(f"/dashboard/embed/chart/?{QUESTION}&metric=killed")
    assert chart.content.decode().count('<svg class="chart') == 1
    map_ = client.get(f"/dashboard/embed/map/?{QUESTION}&metric=killed")
    assert map_.content.decode().count('<svg class="map"') == 1
    burmese = client.get(f"/dashboard/embed/headline/?{QUESTION}&metric=injured&lang=my")
    assert burmese["Content-Language"] == "my"
    assert '<html lang="my">' in burmese.content.decode()
    # Its sentences end as Burmese ones do ("။"), not with Latin full stops.
    detail = re.search(r'<p class="embed-detail">(.*?)</p>', burmese.content.decode())[1]
    assert detail == "အပိုင်းအခြား 4–6။ ဖြစ်ရပ် 1 ခုမှ၊ သတင်းရင်းမြစ် 1 ခု။"


def test_embed_needs_one_metric(client, scenario):
    for query in (QUESTION, f"{QUESTION}&metric=killed,injured"):
        response = client.get(f"/dashboard/embed/headline/?{query}")
        assert response.status_code == 400
        assert "metric: Choose one metric for an embed." in text_of(response)
    assert client.get(f"/dashboard/embed/table/?{QUESTION}&metric=killed").status_code == 404
