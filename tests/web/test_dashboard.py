"""The advocate's pages through the Django test client: the numbers on the dashboard, its
drill-down and its briefing are exactly the counting engine's, in the public shape, and bad
questions get a clear message with the form instead of numbers that look like zero."""

import html
import re
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict

from reports import aggregates
from reports.vocabulary import Metric
from tests import dashboard_data
from tests.dashboard_data import engine

QUESTION = dashboard_data.QUESTION
HEADLINE = re.compile(
    r'<span class="label">(?P<label>[^<]+)</span>\s*'
    r'<a class="big" href="(?P<url>[^"]+)" title="(?P<title>[^"]+)">(?P<shown>.*?)</a>'
)


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def headline(response) -> dict[str, dict]:
    page = response.content.decode()
    return {html.unescape(m["label"]): m.groupdict() for m in HEADLINE.finditer(page)}


def table_rows(response, table_id: str) -> list[list[str]]:
    """The rows of a table on the page as lists of cell texts (header cells included)."""
    page = response.content.decode()
    table = page[page.index(f'id="{table_id}"') :]
    table = table[: table.index("</table>")]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def link_in_cell(response, table_id: str, row_start: str, column: int) -> str:
    page = response.content.decode()
    table = page[page.index(f'id="{table_id}"') :]
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table[: table.index("</table>")], re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        if re.sub(r"<[^>]+>", " ", cells[0]).split()[:2] == row_start.split()[:2]:
            return html.unescape(re.search(r'href="([^"]+)"', cells[column])[1])
    raise AssertionError(f"no row {row_start!r} in {table_id}")


def test_headline_numbers_are_the_engines(client, scenario):
    response = client.get(f"/dashboard/?{QUESTION}")
    assert response.status_code == 200
    answer = engine(QUESTION)
    cards = headline(response)
    # A card for each metric with anything counted; the others are named in one line.
    assert list(cards) == [
        "People newly displaced",
        "People currently displaced",
        "Civilians killed",
        "Civilians injured",
    ]
    for metric in answer.metrics:
        total = answer.totals[metric]
        if not total.events:
            assert str(Metric(metric).label) not in cards
            continue
        card = cards[str(Metric(metric).label)]
        word = {"at_least": "At least ", "approximately": "Approximately ", "exact": "Exactly "}
        ranged = total.qualifier == "exact" and total.low < total.high
        said = "" if ranged else word[total.qualifier]
        assert html.unescape(card["title"]).startswith(f"{said}{total.best:,}")
    # The known values of the scenario, so that the page and the engine cannot both be wrong.
    assert html.unescape(cards["Civilians killed"]["title"]) == (
        "Exactly 21; 3 events, 3 reports, 3 sources"
    )
    assert html.unescape(cards["Civilians injured"]["title"]) == (
        "5 (range 4–6); 1 event, 1 report, 1 source"
    )
    assert "≈" not in cards["People newly displaced"]["shown"]
    assert (
        cards["People newly displaced"]["shown"] == '<span class="qualifier">at least</span> 40,000'
    )
    page = text_of(response)
    assert "Civilians injured 5 range 4–6 from 1 event, 1 source Flow: summed over the period" in (
        page
    )
    assert (
        "People currently displaced at least 40,000 no upper bound: it rests on an “at least” "
        "figure as of 18 Nov 2023 from 1 event, 1 source Stock: latest figure at the period's end"
        in page
    )


def test_rounding_is_for_display_only(client, places, field_partner, moderator, file_report):
    report = file_report(
        field_partner, figures=[dict(metric="newly_displaced", qualifier="exact", value=35123)]
    )
    dashboard_data._approved(report, field_partner, moderator)
    response = client.get("/dashboard/?metric=newly_displaced")
    card = headline(response)["People newly displaced"]
    assert card["shown"] == '<span aria-hidden="true">≈</span>35,100'
    assert html.unescape(card["title"]).startswith("Exactly 35,123")
    assert "exactly 35,123" in text_of(response)
    assert table_rows(response, "area-table")[-1] == ["Total: all areas", "35,123"]


def test_a_rounded_at_least_total_is_not_called_exact(
    client, places, field_partner, moderator, file_report
):
    report = file_report(
        field_partner, figures=[dict(metric="newly_displaced", qualifier="at_least", value=102800)]
    )
    dashboard_data._approved(report, field_partner, moderator)
    response = client.get("/dashboard/?metric=newly_displaced")
    card = headline(response)["People newly displaced"]
    # Rounded down: "at least 103,000" would claim more than the source.
    assert card["shown"] == (
        '<span class="qualifier">at least</span> <span aria-hidden="true">≈</span>102,000'
    )
    text = text_of(response)
    assert "unrounded: at least 102,800" in text
    assert "exactly" not in text.split("Headline numbers")[1].split("Flows and stocks")[0]


def test_area_table_has_the_unspecified_row_and_sorts_on_the_server(client, scenario):
    answer = engine(QUESTION)
    response = client.get(f"/dashboard/?{QUESTION}&metric=killed&metric=injured")
    rows = table_rows(response, "area-table")
    assert rows == [
        ["Area", "Civilians killed", "Civilians injured"],
        ["Loikaw District MMR002D001", "5", "5 4–6"],
        ["Unspecified within Kayah", "16", "0"],
        ["Total: Kayah", "21", "5 4–6"],
    ]
    by_area = {r.name: r.totals["killed"].best for r in answer.by_area}
    assert by_area == {"Loikaw District": 5, "Unspecified within Kayah": 16}

    ascending = client.get(f"/dashboard/?{QUESTION}&metric=killed&metric=injured&sort=killed")
    assert ascending.status_code == 200
    assert [r[0] for r in table_rows(ascending, "area-table")[1:3]] == [
        "Loikaw District MMR002D001",
        "Unspecified within Kayah",  # always last, whatever the order
    ]
    assert 'aria-sort="ascending"><a href="' in ascending.content.decode()


def test_period_table_and_chart(client, scenario):
    answer = engine(QUESTION)
    response = client.get(f"/dashboard/?{QUESTION}")
    rows = table_rows(response, "period-table")
    assert rows[0] == [
        "Period",
        "People newly displaced",
        "People currently displaced (stock)",
        "Civilians killed",
        "Civilians injured",
    ]
    assert rows[1:] == [
        # "At least" figures keep their qualifier (rule 7); the stock says its date (rule 4).
        [
            "Nov 2023",
            "at least 40,000 from 35,000, no upper bound",
            "at least 40,000 as of 18 Nov 2023",
            "19",
            "5 4–6",
        ],
        ["Dec 2023", "0", "at least 40,000 as of 18 Nov 2023", "2", "0"],
    ]
    assert [r.totals["killed"].best for r in answer.by_period] == [19, 2]
    page = response.content.decode()
    assert page.count('<svg class="chart"') == 4  # one per metric with anything approved
    assert "Nov 2023: Exactly 19; 2 events, 2 reports, 2 sources" in page
    assert "https://" not in page.split("<svg", 1)[1].split("</svg>")[0]  # no third party
    assert "<script" not in page


def test_every_number_drills_down_to_its_events_and_public_sources(client, scenario):
    response = client.get(f"/dashboard/?{QUESTION}")
    url = html.unescape(headline(response)["Civilians killed"]["url"])
    assert parse_qs(urlsplit(url).query)["metric"] == ["killed"]
    evidence = client.get(url)
    assert evidence.status_code == 200
    page = evidence.content.decode()
    text = text_of(evidence)
    expected = aggregates.evidence(aggregates.parse_question(QueryDict(QUESTION)), "killed")
    assert sum(e.counted.best for e in expected) == 21
    assert "21 people from 3 events, 3 approved reports and 3 sources" in text
    assert "The counted figures below add up to 21." in text
    assert [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2>(.*?)</h2>", page)] == [
        "16 civilians killed in Karenni State",
        "Shelling &lt;b&gt;near&lt;/b&gt; Demoso",
        "Two killed by a landmine near Demoso",
    ]
    assert "Shelling &lt;b&gt;near&lt;/b&gt; Demoso" in page
    assert "Three villagers were killed &amp; five injured." in page
    assert "confidential local source" in text
    assert '<a href="https://example.org/kndf" rel="noopener noreferrer nofollow">' in page
    assert "KNDF statement, 16 Nov 2023 (party to the conflict)" in text
    for leaked in (
        "Camp committee X",
        "U Ba",
        "09-555",
        "Unchecked: 999 killed",
        "Loikaw monitors",
        "partner@example.org",
    ):
        assert leaked not in page


def test_the_evidence_names_its_sources_in_the_readers_language(client, scenario):
    client.cookies["django_language"] = "my"
    text = text_of(client.get(f"/dashboard/evidence/?{QUESTION}&metric=killed"))
    assert "လျှို့ဝှက်ထားသော ဒေသတွင်း သတင်းရင်းမြစ်" in text  # a confidential local source
    assert "KNDF statement, 2023 ခုနှစ် နိုဝင်ဘာလ 16 ရက် (ပဋိပက္ခတွင် ပါဝင်သူ အဖွဲ့)" in text
    assert "confidential local source" not in text and "16 Nov 2023" not in text
    # "21 people from 3 events, 3 approved reports and 3 sources.": the unit and the marks too
    assert "21 လူဦးရေ ဖြစ်ရပ် 3 ခုမှ၊ အတည်ပြုထားသော အစီရင်ခံစာ 3 ခု နှင့် သတင်းရင်းမြစ် 3 ခု။" in text


def test_an_event_shows_its_counted_report_and_its_triangulation(client, scenario):
    response = client.get(f"/dashboard/evidence/?{QUESTION}&metric=newly_displaced")
    assert response.status_code == 200
    text = text_of(response)
    assert "Displacement from Loikaw" in text
    assert (
        "Counted: at least 40,000 (range from 35,000, no upper bound); "
        "its reports say 35,000–40,000. "
        "Covers 11 Nov 2023–21 Nov 2023."
    ) in text
    assert "At least 40,000 displaced from Loikaw counted" in text
    assert "Residents flee Loikaw Report" in text  # the triangulating report, not counted
    assert "Partner's contact in ward 3" not in text


def test_the_unspecified_row_and_a_period_drill_down_to_their_own_events(client, scenario):
    response = client.get(f"/dashboard/?{QUESTION}&metric=killed")
    unspecified = client.get(link_in_cell(response, "area-table", "Unspecified within", 1))
    assert unspecified.status_code == 200
    text = text_of(unspecified)
    assert "16 people from 1 event" in text
    assert "16 civilians killed in Karenni State" in text
    assert "Shelling" not in text and "landmine" not in text

    district = client.get(link_in_cell(response, "area-table", "Loikaw District", 1))
    assert "5 people from 2 events" in text_of(district)

    december = client.get(link_in_cell(response, "period-table", "Dec 2023", 1))
    text = text_of(december)
    assert "2 people from 1 event" in text
    assert "Two killed by a landmine near Demoso" in text
    assert "Shelling" not in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("area=XX9", "area", "Unknown area code 'XX9'."),
        ("start=2023-12-01&end=2023-11-01", "end", "The end (2023-11-01) is before the start"),
        ("metric=refugees", "metric", "Unknown metric 'refugees'"),
        ("period=decade", "period", "Unknown period 'decade'"),
        ("start=1-11-2023", "start", "Enter a date as YYYY-MM-DD"),
        ("level=9", "level", "Choose a level below the area"),
        ("sort=bogus", "sort", "Unknown sort column 'bogus'"),
        ("map=refugees", "map", "Unknown map metric 'refugees'"),
    ],
)
def test_bad_questions_get_the_form_and_a_message_not_zeros(
    client, scenario, query, field, message
):
    for path in ("/dashboard/", "/dashboard/briefing/", "/dashboard/evidence/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        page = html.unescape(response.content.decode())
        assert f"{field}: {message}" in " ".join(re.sub(r"<[^>]+>", "", page).split())
        assert "no numbers are shown" in page
        assert 'class="headline"' not in page and "Exactly" not in page
        if path != "/dashboard/briefing/":
            assert '<form method="get" action="/dashboard/"' in page


@pytest.mark.parametrize("query", ["sort=bogus", "map=refugees", "metric=refugees"])
def test_a_bad_question_is_told_in_the_readers_language(client, scenario, query):
    client.cookies["django_language"] = "my"
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 400
    text = html.unescape(re.sub(r"<[^>]+>", "", response.content.decode()))
    field = query.split("=")[0]
    shown = next(line for line in text.splitlines() if line.strip().startswith(f"{field}:"))
    assert "Unknown" not in shown and "'" in shown  # Burmese, naming the value given


def test_the_form_keeps_what_was_typed_escaped(client, scenario):
    response = client.get('/dashboard/?area=<b>"x"</b>&tag=<script>alert(1)</script>')
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="&lt;b&gt;&quot;x&quot;&lt;/b&gt;"' in page
    assert "Unknown area code &#x27;&lt;b&gt;&quot;x&quot;&lt;/b&gt;&#x27;." in page
    assert "<script>alert(1)</script>" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_evidence_needs_exactly_one_metric(client, scenario):
    for query in ("area=MMR002", "metric=killed&metric=injured", "area=XX9&metric=killed,injured"):
        response = client.get(f"/dashboard/evidence/?{query}")
        assert response.status_code == 400
        assert "Choose one metric to see the events and reports behind it." in text_of(response)


def test_the_form_redirects_to_the_short_permanent_url(client, scenario):
    response = client.get(
        "/dashboard/?area=&pcode=MMR002&start=2023-11-01&end=&cause=&tag=&source_type=&level="
        "&period=&metric=killed"
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?start=2023-11-01&area=MMR002&metric=killed"
    every_metric = "&".join(f"metric={m}" for m in engine("").metrics)
    response = client.get(f"/dashboard/?area=MMR002&{every_metric}")
    assert response["Location"] == "/dashboard/?area=MMR002"
    assert client.get(response["Location"]).status_code == 200


def test_an_empty_answer_says_nothing_was_approved(client, scenario):
    response = client.get("/dashboard/?area=MMR002&start=2020-01-01&end=2020-01-31")
    assert response.status_code == 200
    text = text_of(response)
    assert "No approved figures for these metrics in this area and period" in text
    assert "which does not mean nothing happened" in text


def test_a_period_whose_only_figure_spans_beyond_it_points_to_that_figure(
    client, places, field_partner, moderator, file_report
):
    """Rule 3: a tally of two years counts in no month inside it. The month's pages say that
    nothing lies wholly within the month and point to the tally, not "nothing approved"."""
    tally = file_report(
        field_partner,
        title="Civilians killed since the coup",
        start_date=date(2021, 2, 1),
        end_date=date(2023, 3, 31),
        figures=[dict(metric="killed", qualifier="exact", value=412)],
    )
    dashboard_data._approved(tally, field_partner, moderator)
    month = "start=2023-02-01&end=2023-02-28&metric=killed&metric=injured"
    text = text_of(client.get(f"/dashboard/?{month}"))
    assert "Nothing approved for: civilians injured." in text
    assert (
        "Nothing approved lies wholly within 1 Feb 2023 – 28 Feb 2023 for: civilians killed. "
        "The figures that overlap it reach outside it: they are listed below, beside the totals"
    ) in text
    assert "Nothing approved for: civilians killed" not in text
    assert "for: civilians injured, civilians killed" not in text
    assert (
        "Spanning beyond 1 Feb 2023 – 28 Feb 2023 These figures overlap the period asked"
    ) in text
    assert "Civilians killed since the coup (Loikaw Town, 1 Feb 2021–31 Mar 2023): 412" in text
    assert "No approved figures for these metrics" not in text
    assert "Nothing approved in this area and period for: Civilians injured." in text
    assert (
        "Nothing approved lies wholly within 1 Feb 2023 – 28 Feb 2023 for: Civilians killed; "
        "the figures that overlap it are listed under the headline numbers, as spanning beyond it."
    ) in text
    briefing = text_of(client.get(f"/dashboard/briefing/?{month}"))
    assert (
        "Nothing approved lies wholly within this period: the figures that overlap it reach "
        "outside it, and are listed beside the headline numbers."
    ) in briefing
    assert "Nothing approved for this area and period." not in briefing
    assert "Nothing approved for: civilians injured." in briefing
    assert (
        "Nothing approved lies wholly within 1 Feb 2023 – 28 Feb 2023 for: civilians killed."
    ) in briefing
    assert "Civilians killed since the coup (Loikaw Town, 1 Feb 2021–31 Mar 2023): 412" in briefing
    # The briefing lists the sources of the figures it prints beyond the period too.
    assert "Sources (1 approved report)" in briefing
    # The embedded card and the chart file say the same, not "nothing approved".
    embed = text_of(client.get("/dashboard/embed/headline/?start=2023-02-01&end=2023-02-28"
                               "&metric=killed"))  # fmt: skip
    assert (
        "Nothing approved for civilians killed lies wholly within 1 Feb 2023 – 28 Feb 2023: the "
        "figures that overlap it reach outside it, and are listed on the dashboard."
    ) in embed
    chart = client.get("/dashboard/chart/killed.svg?start=2023-02-01&end=2023-02-28")
    assert chart.status_code == 404
    assert chart.content.decode() == (
        "Nothing approved for Civilians killed lies wholly within 1 Feb 2023 – 28 Feb 2023 in all "
        "areas, so there is no chart: the figures that overlap it reach outside it."
    )
    # A date typed in Burmese digits is the same date, shown back as the date box takes it.
    page = client.get("/dashboard/?start=၂၀၂၃-၀၂-၀၁&end=2023-02-28&metric=killed")
    assert 'name="start" id="f-start" value="2023-02-01"' in page.content.decode()
    assert "Spanning beyond 1 Feb 2023 – 28 Feb 2023" in text_of(page)
    # A question open at one end says which period it means.
    upto = text_of(client.get("/dashboard/?end=2023-02-28&metric=killed"))
    assert (
        "Nothing approved lies wholly within the period up to 28 Feb 2023 for: civilians killed."
    ) in upto
    assert "Spanning beyond the period up to 28 Feb 2023" in upto
    # The whole span counts it: nothing is said beyond.
    whole = text_of(client.get("/dashboard/?start=2021-02-01&end=2023-03-31&metric=killed"))
    assert "lies wholly within" not in whole and "Spanning beyond" not in whole


def test_the_map_places_areas_at_their_points(client, scenario):
    response = client.get(f"/dashboard/?{QUESTION}&map=killed")
    page = response.content.decode()
    svg = page[
        page.index('<svg class="map"') : page.index("</svg>", page.index('<svg class="map"'))
    ]
    # Loikaw District, without an outline here; the unspecified row has no place.
    assert svg.count("<circle") == 1
    assert "Loikaw District: Exactly 5; 2 events, 2 reports, 2 sources" in svg
    text = text_of(response)
    assert "Map: civilians killed" in text
    assert "No boundary available, shown as circles: Loikaw District." in text


def test_briefing_is_a_printable_page_with_method_and_public_sources(client, scenario):
    response = client.get(f"/dashboard/briefing/?{QUESTION}")
    assert response.status_code == 200
    page = response.content.decode()
    text = text_of(response)
    assert '<header class="site">' not in page and "site.css" not in page
    assert "dashboard/briefing.css" in page
    assert "<h1>Kayah, 1 November – 31 December 2023</h1>" in page
    answer = engine(QUESTION)
    assert f"Civilians killed flow (sum over period) {answer.totals['killed'].best:,} –" in text
    assert "Civilians injured flow (sum over period) 5 4–6 1 event, 1 report, 1 source" in text
    assert (
        "People currently displaced stock (latest at period end) at least 40,000 as of 18 Nov "
        "2023 no upper bound 1 event, 1 report, 1 source"
    ) in text
    # A short method paragraph, and a link to the whole method on the dashboard.
    assert "Only reports a moderator approved are counted." in text
    assert re.search(r'<a href="http://testserver/dashboard/\?[^"]*#method" class="url">', page)
    assert "Sources (6 approved reports)" in text
    assert "confidential local source" in text
    assert "KNDF statement, 16 Nov 2023 (party to the conflict) https://example.org/kndf" in text
    assert "Camp committee X" not in page and "U Ba" not in page
    assert page.count('<svg class="chart"') == 4


def test_briefing_css_prints_on_a4_without_site_chrome():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/dashboard/briefing.css").read_text()
    assert "@page { size: A4;" in css
    assert "@media print" in css
    dashboard_css = (Path(__file__).resolve().parents[2] / "static/css/dashboard.css").read_text()
    assert "header.site, footer.site" in dashboard_css.split("@media print")[1]


def test_downloads_carry_the_same_question(client, scenario):
    response = client.get(f"/dashboard/?{QUESTION}&sort=-killed")
    links = re.findall(r'href="(/dashboard/download/[^"]+)"', response.content.decode())
    assert len(links) == 9
    for link in links:
        query = parse_qs(urlsplit(html.unescape(link)).query)
        assert query["area"] == ["MMR002"] and query["start"] == ["2023-11-01"]
        assert query["sort"] == ["-killed"]


def test_formats_page_documents_every_column(client, db):
    response = client.get("/dashboard/downloads/")
    assert response.status_code == 200
    text = text_of(response)
    assert "killed_low #affected+killed+min" in text
    assert "area_pcode #admN+code" in text
    assert "sources #meta+source" in text


def test_chart_geometry_scales_bars_and_ranges_to_a_round_top():
    from reports.views import charts

    assert [charts.nice_ceiling(n) for n in (0, 1, 7, 45, 120, 40000)] == [1, 1, 10, 50, 200, 50000]
    assert [charts.short_number(n) for n in (0, 25, 2500, 25000, 2_000_000)] == [
        "0",
        "25",
        "2.5k",
        "25k",
        "2M",
    ]
    chart = charts.bar_chart(
        [
            {"label": "Nov", "best": 40, "low": 35, "high": 45, "title": "t", "url": "/n"},
            {"label": "Dec", "best": 0, "low": 0, "high": 0, "title": "t", "url": ""},
        ]
    )
    plot = chart.baseline - charts.CHART_TOP
    november, december = chart.bars
    assert november.height == round(plot * 40 / 50, 1)
    assert november.whisker_top == round(chart.baseline - plot * 45 / 50, 1)
    assert november.whisker_bottom == round(chart.baseline - plot * 35 / 50, 1)
    assert december.height == 0
    assert [label for _, label in chart.gridlines] == ["0", "25", "50"]


def test_chart_ticks_are_whole_numbers_and_open_totals_get_a_small_mark():
    from reports.views import charts

    one = charts.bar_chart(
        [{"label": "W", "best": 1, "low": 1, "high": 1, "title": "t", "url": ""}]
    )
    assert [label for _, label in one.gridlines] == ["0", "1"]  # not "0, 0, 1"
    five = charts.bar_chart(
        [{"label": "W", "best": 5, "low": 5, "high": 5, "title": "", "url": ""}]
    )
    assert [label for _, label in five.gridlines] == ["0", "5"]
    point = {"label": "M", "best": 40, "low": 35, "high": 40, "high_open": True}
    chart = charts.bar_chart([{**point, "title": "t", "url": "/m"}] * 70)
    bar = chart.bars[0]
    # The range runs from the low to the best estimate; above the bar only a short arrow.
    assert bar.whisker_top == bar.y and bar.whisker_bottom > bar.y
    assert bar.y - bar.open_top <= charts.OPEN_MARK and bar.open_top >= charts.CHART_TOP
    assert bar.open_path.startswith(f"M{bar.centre} {bar.y}V{bar.open_top}")


def test_dates_read_at_their_precision_and_weeks_by_their_monday():
    from reports.views import dashboard_shaping as shaping

    feb = date(2023, 2, 1)
    assert shaping.at_precision(feb, None, "month") == "Feb 2023"
    assert shaping.at_precision(feb, None, "day") == "1 Feb 2023"
    assert shaping.at_precision(feb, None, "week") == "week of 30 Jan 2023"
    assert shaping.at_precision(feb, date(2023, 3, 5), "month") == "Feb 2023–Mar 2023"
    assert shaping.at_precision(feb, None, "year") == "2023"
    # A week clipped to the question's first day is still named by its Monday.
    week = aggregates.PeriodRow(label="2023-W05", start=feb, end=date(2023, 2, 5), totals={})
    assert shaping.period_label(week) == "week of 30 Jan 2023"
    assert shaping.chart_label(week) == "30 Jan"
    unspecified = aggregates.AreaRow(None, "Unspecified within Kayah", True, None, None, {})
    assert shaping.row_name(unspecified) == "Unspecified within Kayah"


def test_the_home_page_links_to_the_dashboard(client, db):
    page = client.get("/").content.decode()
    assert (
        '<a href="/dashboard/">Totals by area and period, with charts, a map and downloads</a>'
        in page
    )


def test_an_event_with_only_unapproved_reports_is_answered_as_one_that_does_not_exist(
    client, api, field_partner, moderator, file_report
):
    from reports import services

    report = file_report(field_partner)
    services.report_submit(report=report, actor=field_partner)
    hidden = services.event_create(actor=moderator, name="Raid on a monitors' safe house")
    services.report_link_event(report=report, event=hidden, actor=moderator)
    missing = hidden.pk + 1000
    pages = {}
    for number in (hidden.pk, missing):
        page = client.get("/dashboard/", {"event": number})
        answer = api.get("/api/v1/aggregates/", {"event": number})
        pages[number] = (
            page.status_code,
            text_of(page).replace(str(number), "N"),
            answer.status_code,
            answer.content.decode().replace(str(number), "N"),
            api.get(f"/api/v1/events/{number}/").status_code,
        )
    assert pages[hidden.pk] == pages[missing]
    assert pages[missing][0] == 400 and pages[missing][2] == 400


def test_a_total_resting_on_an_at_most_figure_says_at_most(
    client, places, field_partner, moderator, file_report
):
    """ "Up to 1,234 killed" beside 12 (rule 7): the card reads at most 1,246, rounded up
    (1,250: rounded down it would claim less than the bound), and its title the exact number
    with its range; the briefing says it in words, and its leading cause is the one certainly
    counted (12 from a ground assault), not the one whose figure is only a bound."""
    for place, qualifier, value, cause in (
        ("demoso", "at_most", 1234, "airstrike"),
        ("loikaw_town", "exact", 12, "ground_assault"),
    ):
        figure = {"metric": "killed", "qualifier": qualifier, "value": value}
        dashboard_data._approved(
            file_report(field_partner, place=places[place], figures=[figure], cause=cause),
            field_partner,
            moderator,
        )
    query = "start=2023-11-01&end=2023-11-30&metric=killed"
    card = headline(client.get(f"/dashboard/?{query}"))["Civilians killed"]
    assert card["shown"] == (
        '<span class="qualifier">at most</span> <span aria-hidden="true">≈</span>1,250'
    )
    assert html.unescape(card["title"]) == (
        "At most 1,246 (range 12–1,246); 2 events, 2 reports, 1 source"
    )
    text = text_of(client.get(f"/dashboard/briefing/?{query}"))
    assert "At most 1,246 civilians killed (range 12–1,246), from 2 events, 1 source." in text
    assert (
        "Leading cause or means of civilians killed: ground assault or armed clash, 12 of at most "
        "1,246, from 1 event, 1 source."
    ) in text
    # Beside an "approximately 10" airstrike the total reads "approximately", and still it
    # certainly counts only those 10: the 12 lead.
    figure = {"metric": "killed", "qualifier": "approximately", "value": 10}
    dashboard_data._approved(
        file_report(field_partner, place=places["demoso"], figures=[figure], cause="airstrike"),
        field_partner,
        moderator,
    )
    text = text_of(client.get(f"/dashboard/briefing/?{query}"))
    assert (
        "Leading cause or means of civilians killed: ground assault or armed clash, 12 of "
        "approximately 1,256, from 1 event, 1 source."
    ) in text


# --- qualifiers, stock dates and spanning figures (hand-built answers) -------------------------


@pytest.fixture
def hand_built(monkeypatch, places):
    """The pages answer with a hand-built Answer: an "at least" total, a stale approximate
    stock, a range, a tally spanning beyond the period and a figure longer than a month."""
    from tests.api.test_aggregate_shape import hand_built_answer

    monkeypatch.setattr(aggregates, "answer", lambda question, **_: hand_built_answer(question))


SHAPE_QUERY = "start=2023-11-01&end=2023-12-31&metric=newly_displaced,currently_displaced,killed"


def test_headline_says_at_least_about_as_of_and_stale(client, hand_built):
    response = client.get(f"/dashboard/?{SHAPE_QUERY}")
    cards = headline(response)
    displaced = cards["People newly displaced"]
    assert displaced["shown"] == '<span class="qualifier">at least</span> 2,000,000'
    assert html.unescape(displaced["title"]) == (
        "At least 2,000,000 (range from 1,500,000, no upper bound); 2 events, 3 reports, 3 sources"
    )
    stock = cards["People currently displaced"]
    assert stock["shown"] == '<span class="qualifier">approximately</span> 40,000'
    assert html.unescape(stock["title"]) == (
        "Approximately 40,000 (range 35,000–40,000); as of 1 May 2023–18 Nov 2023; stale (a figure "
        "standing is more than 180 days old at the period's end); 1 event, 2 reports, 2 sources"
    )
    text = text_of(response)
    assert "range from 1,500,000, no upper bound" in text
    assert "as of 1 May 2023–18 Nov 2023 Stale a figure standing is more than 180" in text
    assert "range 19–25" in text


def test_spanning_beyond_and_longer_lines_with_their_evidence(client, hand_built):
    response = client.get(f"/dashboard/?{SHAPE_QUERY}")
    text = text_of(response)
    assert (
        "Spanning beyond 1 Nov 2023 – 31 Dec 2023 These figures overlap the period asked but "
        "reach outside it, so they are not in the totals above"
    ) in text
    assert (
        "Civilians killed: Civilians killed in Kayah since the coup (Kayah, 1 Feb 2021–31 Jan "
        "2024): 480 (range 470–480) ; adds 459 beyond the figures it covers report #101"
    ) in text
    assert "Across more than one month These figures are in the totals" in text
    assert (
        "People newly displaced: Displacement from Loikaw (Loikaw, 20 Nov 2023–10 Dec 2023): "
        "at least 40,000 (range from 35,000, no upper bound) report #55"
    ) in text
    page = response.content.decode()
    beyond = html.unescape(re.search(r'<a href="([^"]+)">Civilians killed in Kayah', page)[1])
    assert parse_qs(urlsplit(beyond).query) == {
        "start": ["2021-02-01"],
        "end": ["2024-01-31"],
        "area": ["MMR002"],
        "metric": ["killed"],
    }
    longer = html.unescape(re.search(r'<a href="([^"]+)">Displacement from Loikaw', page)[1])
    assert parse_qs(urlsplit(longer).query)["event"] == ["7"]


def test_a_page_lists_the_figures_the_answer_chose_and_says_how_many_more(
    client, monkeypatch, places
):
    from dataclasses import replace

    from reports.aggregates import Total
    from reports.views.dashboard_shaping import SPANNING_SHOWN
    from tests.api.test_aggregate_shape import LONG, TALLY, hand_built_answer

    asked = []

    def answer(question, lines=None):
        asked.append(lines)
        # The engine's choice: the 10 largest of 23 displacement figures, and the one killed.
        chosen = [
            replace(LONG, report_id=n, name=f"Figure {n}",
                    counted=Total("newly_displaced", n, n, n, 1, 1, 1),
                    adds=Total("newly_displaced", n, n, n, 1, 1, 1))
            for n in range(23, 13, -1)
        ]  # fmt: skip
        return replace(
            hand_built_answer(question),
            longer={"newly_displaced": chosen, "killed": [replace(TALLY, name="Killed line")]},
            longer_more={"newly_displaced": 13},
        )

    monkeypatch.setattr(aggregates, "answer", answer)
    response = client.get(f"/dashboard/?{SHAPE_QUERY}")
    assert asked == [SPANNING_SHOWN] == [10]
    text = text_of(response)
    assert [int(n) for n in re.findall(r"Figure (\d+)", text)] == list(range(23, 13, -1))
    assert "Killed line" in text  # a metric of small numbers keeps its own lines
    assert (
        "And 13 more figures, each adding less than those listed of its kind: every one is "
        "listed in the CSV download ."
    ) in text
    page = response.content.decode()
    link = urlsplit(html.unescape(re.search(r'listed in the <a href="([^"]+)">CSV', page)[1]))
    assert link.path == "/dashboard/download/periods.csv"
    assert parse_qs(link.query) == {
        "start": ["2023-11-01"],
        "end": ["2023-12-31"],
        "metric": ["newly_displaced", "currently_displaced", "killed"],
    }


def test_tables_and_chart_mark_stale_stocks_in_words(client, hand_built):
    response = client.get(f"/dashboard/?{SHAPE_QUERY}")
    rows = table_rows(response, "period-table")
    assert rows[1:] == [
        [
            "Nov 2023",
            "at least 1,900,000 from 1,420,000, no upper bound",
            "approximately 40,000 35,000–40,000 as of 18 Nov 2023",
            "19 17–23",
        ],
        [
            "Dec 2023",
            "60,000 45,000–60,000",
            "approximately 40,000 35,000–40,000 as of 1 May 2023–18 Nov 2023 stale",
            "2",
        ],
    ]
    assert table_rows(response, "area-table")[-1] == [
        "Total: all areas",
        "at least 2,000,000 from 1,500,000, no upper bound",
        "approximately 40,000 35,000–40,000 as of 1 May 2023–18 Nov 2023 stale",
        "21 19–25",
    ]
    page = response.content.decode()
    chart = page[page.index('id="chart-currently_displaced-title"') :]
    chart = chart[: chart.index("</svg>")]
    # December only: its newest figure (18 Nov) is current, its oldest (1 May) stale, so the
    # bar stands, pale and hatched; it would be left out if every figure were stale.
    assert chart.count('<rect class="stale" fill="url(#chart-currently_displaced-hatch)"') == 1
    # Stale is said once, in the chart's key, never as text on each bar (a smear over 70 bars).
    assert "stalemark" not in chart and ">stale</text>" not in chart
    key = page[page.index("</svg>", page.index('id="chart-currently_displaced-title"')) :]
    assert (
        key.startswith('</svg><p class="help chart-key">')
        and "Pale hatched bar: a figure standing is more than 180 days old" in key
    )
    # An "at least" total is a small arrow above its bar, not a whisker to the top of the plot.
    assert '<path class="open-mark"' in page and "range open" not in page


def test_briefing_carries_the_same_words(client, hand_built):
    text = text_of(client.get(f"/dashboard/briefing/?{SHAPE_QUERY}"))
    assert (
        "People newly displaced flow (sum over period) at least 2,000,000 from 1,500,000, no "
        "upper bound 2 events"
    ) in text
    assert (
        "People currently displaced stock (latest at period end) approximately 40,000 as of "
        "1 May 2023–18 Nov 2023 stale*"
    ) in text
    assert "* Stale (People currently displaced): a figure standing is more than 180" in text
    assert "Spanning beyond 1 Nov 2023 – 31 Dec 2023" in text
    assert "Across more than one month" in text


def test_evidence_page_shows_each_events_span_and_what_it_covers(client, hand_built, monkeypatch):
    from reports.aggregates.results import CountedEvent, Total

    tally = CountedEvent(
        event_id=None,
        name="Monitor's tally <script>",
        counted=Total("killed", 30, 30, 30, 1, 1, 1),
        range_low=30,
        range_high=30,
        reference_report_id=9001,
        report_ids=(9001,),
        start=date(2023, 11, 1),
        end=date(2023, 12, 31),
        adds=Total("killed", 9, 9, 9, 1, 1, 1),
        covers=2,
    )
    incident = CountedEvent(
        event_id=None,
        name="Shelling",
        counted=Total("killed", 21, 21, 21, 1, 1, 1),
        range_low=21,
        range_high=21,
        reference_report_id=9002,
        report_ids=(9002,),
        start=date(2023, 11, 20),
        end=date(2023, 11, 20),
        adds=Total("killed", 21, 21, 21, 1, 1, 1),
    )
    monkeypatch.setattr(aggregates, "evidence", lambda question, metric: [tally, incident])
    response = client.get("/dashboard/evidence/?start=2023-11-01&end=2023-12-31&metric=killed")
    assert response.status_code == 200
    text = text_of(response)
    assert "tally &lt;script&gt;" in response.content.decode()
    assert (
        "Counted: 30 . Covers 1 Nov 2023–31 Dec 2023. It covers 2 other counted events; adds 9 "
        "beyond them."
    ) in text
    assert "Counted: 21 . Covers 20 Nov 2023." in text
    assert "What the events below add comes to 30." in text


def test_long_month_names_get_fewer_axis_labels_so_they_never_overlap():
    from reports.views import charts

    def labelled(label, count=24):
        point = {"label": label, "best": 1, "low": 1, "high": 1, "title": "t", "url": ""}
        return [b.centre for b in charts.bar_chart([point] * count).bars if b.show_label]

    assert len(labelled("Feb 2021")) == 6
    burmese = labelled("ဖေဖော်ဝါရီ 2021")  # 15 code points: 83 units with the gap
    assert len(burmese) == 3
    assert min(b - a for a, b in zip(burmese, burmese[1:], strict=False)) >= 15 * 5 + 8
