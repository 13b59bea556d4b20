"""Downloads through the Django test client: the same numbers as aggregates.answer() for the
same question, in CSV, HXL, XLSX and GeoJSON; the reports behind them streamed in their public
shape; sensible file names; and a plain 400 for a bad question."""

import csv
import io
import json
import re
from datetime import date

import openpyxl
import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from reports import exports, services
from reports.exports import formats
from tests import dashboard_data
from tests.dashboard_data import engine

QUESTION = dashboard_data.QUESTION
NAME = "tracker-kayah-2023-11-01-2023-12-31"


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content(response).decode("utf-8"))))


def as_dicts(rows) -> list[dict]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_areas_csv_has_the_engines_numbers(client, scenario):
    response = client.get(f"/dashboard/download/areas.csv?{QUESTION}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{NAME}-areas.csv"'
    rows = [r for r in as_dicts(csv_rows(response)) if r["row"] != exports.ROW_BEYOND]
    answer = engine(QUESTION)
    assert [(r["row"], r["area_pcode"], r["area_name"]) for r in rows] == [
        ("total", "MMR002", "Kayah"),
        ("area", "MMR002D001", "Loikaw District"),
        ("unspecified", "", "Unspecified within Kayah"),
    ]
    for row, totals in zip(rows, [answer.totals] + [r.totals for r in answer.by_area], strict=True):
        for metric in answer.metrics:
            t = totals[metric]
            assert [row[f"{metric}{s}"] for s in ("", "_low", "_high")] == [
                str(t.best),
                str(t.low),
                "" if t.high_open else str(t.high),
            ]
            assert row[f"{metric}_qualifier"] == t.qualifier
            assert row[f"{metric}_high_open"] == ("true" if t.high_open else "false")
            assert [int(row[f"{metric}_{s}"]) for s in ("events", "reports", "sources")] == [
                t.events,
                t.reports,
                t.sources,
            ]
    assert (rows[0]["killed"], rows[1]["killed"], rows[2]["killed"]) == ("21", "5", "16")
    assert (rows[0]["injured_low"], rows[0]["injured"], rows[0]["injured_high"]) == ("4", "5", "6")
    assert rows[0]["period_start"] == "2023-11-01" and rows[0]["period_end"] == "2023-12-31"
    # Loikaw District has no point in the gazetteer: the average of the towns within it.
    assert (rows[1]["latitude"], rows[1]["longitude"]) == ("19.67424", "97.20993")
    assert rows[1]["point_from"] == "average of 1 place within"


def test_a_file_taken_from_a_burmese_page_is_in_english(client, scenario):
    """A file is data for tools: English names and labels whatever the page's language."""
    client.cookies["django_language"] = "my"
    assert "နေရပ်စွန့်ခွာမှု" in client.get(f"/dashboard/?{QUESTION}").content.decode()
    response = client.get(f"/dashboard/download/table.xlsx?{QUESTION}")
    about = dict(openpyxl.load_workbook(io.BytesIO(content(response)))["About"].values)
    assert about["Metrics"].startswith("People newly displaced, People currently displaced, ")
    assert about["Cause or means"] == "any"


def test_the_sort_on_screen_is_the_order_in_the_file(client, scenario):
    rows = as_dicts(csv_rows(client.get(f"/dashboard/download/areas.csv?{QUESTION}&sort=-killed")))
    assert [r["area_name"] for r in rows if r["row"] != exports.ROW_BEYOND] == [
        "Kayah",
        "Loikaw District",
        "Unspecified within Kayah",  # the unspecified row stays last, as on the page
    ]


def test_hxl_csv_has_a_row_of_hashtags_and_no_total_row(client, scenario):
    response = client.get(f"/dashboard/download/areas-hxl.csv?{QUESTION}")
    assert response["Content-Disposition"] == f'attachment; filename="{NAME}-areas-hxl.csv"'
    rows = csv_rows(response)
    tags = dict(zip(rows[0], rows[1], strict=True))
    assert tags["period_start"] == "#date+start"
    assert tags["period_end"] == "#date+end"
    assert tags["area_pcode"] == "#adm2+code" and tags["area_name"] == "#adm2+name"
    assert tags["newly_displaced"] == "#affected+idps+new"
    assert tags["currently_displaced"] == "#affected+idps"
    assert tags["killed"] == "#affected+killed" and tags["killed_low"] == "#affected+killed+min"
    assert tags["injured"] == "#affected+injured"
    assert tags["homes_destroyed"] == "#indicator+num+homes_destroyed"
    assert tags["killed_sources"] == "#meta+sources+killed"
    assert tags["row"] == "#meta+row" and tags["killed_qualifier"] == "#meta+qualifier+killed"
    assert tags["currently_displaced_stale"] == "#status+stale+currently_displaced"
    kind = rows[0].index("row")
    assert [r[rows[0].index("area_name")] for r in rows[2:] if r[kind] != exports.ROW_BEYOND] == [
        "Loikaw District",
        "Unspecified within Kayah",
    ]


def test_periods_csv_is_the_time_series(client, scenario):
    response = client.get(f"/dashboard/download/periods-hxl.csv?{QUESTION}")
    rows = csv_rows(response)
    assert rows[1][:6] == ["#meta+row", "#date+start", "#date+end", "", "#adm1+code", "#adm1+name"]
    data = [r for r in as_dicts([rows[0]] + rows[2:]) if r["row"] == "period"]
    answer = engine(QUESTION)
    assert [(r["period"], r["period_start"], r["period_end"]) for r in data] == [
        ("Nov 2023", "2023-11-01", "2023-11-30"),
        ("Dec 2023", "2023-12-01", "2023-12-31"),
    ]
    assert [int(r["killed"]) for r in data] == [p.totals["killed"].best for p in answer.by_period]
    assert [int(r["killed"]) for r in data] == [19, 2]
    assert [int(r["currently_displaced"]) for r in data] == [40000, 40000]


def test_xlsx_has_the_same_numbers_and_the_question(client, scenario):
    response = client.get(f"/dashboard/download/table.xlsx?{QUESTION}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{NAME}-table.xlsx"'
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    book = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)
    assert book.sheetnames == ["By area", "By period", "About"]
    areas = list(book["By area"].iter_rows(values_only=True))
    header = list(areas[0])
    killed = header.index("killed")
    kind = header.index("row")
    assert [
        (r[header.index("area_name")], r[killed]) for r in areas[1:] if r[kind] != "spanning beyond"
    ] == [
        ("Kayah", 21),
        ("Loikaw District", 5),
        ("Unspecified within Kayah", 16),
    ]
    periods = list(book["By period"].iter_rows(values_only=True))
    assert periods[1][periods[0].index("row")] == "period"
    assert periods[1][periods[0].index("period_start")].date() == date(2023, 11, 1)
    assert periods[1][periods[0].index("killed")] == 19
    about = dict(book["About"].iter_rows(values_only=True))
    assert about["Area"] == "Kayah (MMR002)"
    assert about["From"] == "2023-11-01" and about["To"] == "2023-12-31"
    assert about["Question"].endswith(
        "/dashboard/?start=2023-11-01&end=2023-12-31&area=MMR002&period=month"
    )


def test_geojson_is_a_feature_collection_of_area_points(client, scenario):
    response = client.get(f"/dashboard/download/areas.geojson?{QUESTION}")
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"] == f'attachment; filename="{NAME}-areas.geojson"'
    collection = json.loads(content(response))
    assert collection["type"] == "FeatureCollection"
    district, unspecified = [
        f for f in collection["features"] if f["properties"]["row"] != exports.ROW_BEYOND
    ]
    assert district["geometry"] == {"type": "Point", "coordinates": [97.20993, 19.67424]}
    assert district["properties"]["area_pcode"] == "MMR002D001"
    assert district["properties"]["killed"] == 5
    assert district["properties"]["newly_displaced"] == 40000
    assert unspecified["geometry"] is None  # no place to put it, but its numbers still count
    assert unspecified["properties"]["killed"] == 16


def test_reports_list_streams_the_public_shape(client, scenario):
    response = client.get(f"/dashboard/download/reports.csv?{QUESTION}")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == f'attachment; filename="{NAME}-reports.csv"'
    raw = content(response).decode()
    rows = as_dicts(list(csv.reader(io.StringIO(raw))))
    assert [(r["title"], r["metric"], r["count_best"], r["counted"]) for r in rows] == [
        ("Residents flee Loikaw", "newly_displaced", "35000", "no"),
        ("At least 40,000 displaced from Loikaw", "newly_displaced", "40000", "yes"),
        ("Shelling <b>near</b> Demoso", "injured", "5", "yes"),
        ("Shelling <b>near</b> Demoso", "killed", "3", "yes"),
        ("16 civilians killed in Karenni State", "killed", "16", "yes"),
        ("More than 40,000 people displaced from Loikaw", "currently_displaced", "40000", "yes"),
        ("Two killed by a landmine near Demoso", "killed", "2", "yes"),
    ]
    shelling = rows[2]
    assert shelling["sources"] == "confidential local source"
    assert shelling["source_urls"] == ""
    assert shelling["as_reported"] == "4-6 people"
    assert (shelling["count_low"], shelling["count_high"]) == ("4", "6")
    assert shelling["place_pcode"] == "MMR002002" and shelling["cause"] == "artillery"
    assert rows[0]["event_name"] == "Displacement from Loikaw"
    assert rows[4]["sources"] == "KNDF statement, 16 Nov 2023 (party to the conflict)"
    assert rows[4]["source_urls"] == "https://example.org/kndf"
    # The unapproved report ("Unchecked: 999 killed") by its title and number: a bare "999"
    # can be part of a report id on PostgreSQL, whose ids grow across tests.
    for leaked in ("Camp committee X", "U Ba", "09-555", "Unchecked", "Loikaw monitors", "partner"):
        assert leaked not in raw
    assert not re.search(r"(^|,)999(,|$)", raw, re.M)


def test_reports_are_read_in_batches_with_the_same_rows(client, scenario, monkeypatch):
    whole = content(client.get(f"/dashboard/download/reports-hxl.csv?{QUESTION}"))
    monkeypatch.setattr(exports.tables, "REPORT_BATCH", 2)
    batched = content(client.get(f"/dashboard/download/reports-hxl.csv?{QUESTION}"))
    assert batched == whole
    rows = list(csv.reader(io.StringIO(whole.decode())))
    tags = dict(zip(rows[0], rows[1], strict=True))
    assert tags["report_id"] == "#meta+id" and tags["sources"] == "#meta+source"
    assert tags["count_best"] == "#indicator+num" and tags["metric"] == "#indicator+code"
    assert len(rows) == 2 + 7


def test_reports_xlsx(client, scenario):
    response = client.get(f"/dashboard/download/reports.xlsx?{QUESTION}&metric=killed")
    assert response["Content-Disposition"] == f'attachment; filename="{NAME}-reports.xlsx"'
    book = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)
    rows = list(book["Reports"].iter_rows(values_only=True))
    header = rows[0]
    assert [(r[header.index("title")], r[header.index("count_best")]) for r in rows[1:]] == [
        ("Shelling <b>near</b> Demoso", 3),
        ("16 civilians killed in Karenni State", 16),
        ("Two killed by a landmine near Demoso", 2),
    ]
    assert sum(r[header.index("count_best")] for r in rows[1:]) == 21


def test_reports_longer_than_a_worksheet_go_on_in_another(client, scenario, monkeypatch):
    # Excel's sheet holds 1,048,576 rows (XlsxWriter drops the rest without a word): here 3.
    monkeypatch.setattr(formats, "XLSX_SHEET_ROWS", 3)
    response = client.get(f"/dashboard/download/reports.xlsx?{QUESTION}&metric=killed")
    book = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)
    assert book.sheetnames == ["Reports", "Reports (2)", "About"]
    first, second = (list(book[name].iter_rows(values_only=True)) for name in book.sheetnames[:2])
    assert first[0] == second[0]
    title = first[0].index("title")
    assert [row[title] for row in first[1:] + second[1:]] == [
        "Shelling <b>near</b> Demoso",
        "16 civilians killed in Karenni State",
        "Two killed by a landmine near Demoso",
    ]
    about = list(book["About"].iter_rows(values_only=True))
    assert about[-1] == (
        "Reports",
        "Longer than one worksheet holds (2 rows): continued in Reports (2).",
    )


def test_a_text_longer_than_a_cell_holds_is_cut_with_a_mark_and_named(
    client, scenario, monkeypatch
):
    # Excel's cell holds 32,767 characters (XlsxWriter cuts the rest without a word): here 40.
    monkeypatch.setattr(formats, "XLSX_CELL_CHARACTERS", 40)
    response = client.get(f"/dashboard/download/reports.xlsx?{QUESTION}&metric=killed")
    book = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)
    rows = list(book["Reports"].iter_rows(values_only=True))
    summary, title = rows[0].index("public_summary"), rows[0].index("title")
    assert rows[1][summary] == "Three villagers were killed & five i […]"
    assert len(rows[1][summary]) == 40
    # A text within the limit is left whole.
    assert rows[2][title] == "16 civilians killed in Karenni State"
    about = list(book["About"].iter_rows(values_only=True))
    whole = "cut to a cell's limit (40) and marked […]. The CSV download and the API give the whole"
    assert about[-3:] == [
        ("Reports", f"Row 2, public_summary: 43 characters, {whole} text."),
        ("Reports", f"Row 3, sources: 51 characters, {whole} text."),
        ("Reports", f"Row 4, sources: 95 characters, {whole} text."),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("area=XX9", "area: Unknown area code 'XX9'."),
        ("start=2023-12-01&end=2023-11-01", "end: The end (2023-11-01) is before the start"),
        ("metric=refugees", "metric: Unknown metric 'refugees'"),
        ("period=fortnight", "period: Unknown period 'fortnight'"),
    ],
)
def test_a_bad_question_gets_a_plain_400(client, scenario, query, message):
    for name in exports.DOWNLOADS:
        response = client.get(f"/dashboard/download/{name}?{query}")
        assert response.status_code == 400
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert "Content-Disposition" not in response
        assert message in response.content.decode()


def test_an_unknown_download_is_404(client, db):
    assert client.get("/dashboard/download/areas.pdf").status_code == 404


def test_file_names_say_what_where_and_when(client, scenario, settings):
    response = client.get("/dashboard/download/areas.csv?area=MMR002001&end=2023-11-30")
    assert response["Content-Disposition"] == (
        'attachment; filename="tracker-loikaw-township-beginning-2023-11-30-areas.csv"'
    )
    response = client.get("/dashboard/download/reports.csv?start=2023-11-01&end=2023-11-30")
    assert response["Content-Disposition"] == (
        'attachment; filename="tracker-all-areas-2023-11-01-2023-11-30-reports.csv"'
    )


def test_every_column_of_the_reports_list_keeps_its_exact_text(
    client, moderator, field_partner, file_report, news_source, places, parties
):
    """Quotes, a line break and a comma in a cell, Burmese text, a range, a destination, an
    alleged perpetrator, two tags, sources with and without an address: each column's text
    exactly, as the rows are written many to a chunk."""
    confidential = services.source_create(
        actor=field_partner, source_type="local_cso", name="U Ba", is_confidential=True
    )
    statement = services.source_create(
        actor=field_partner,
        source_type="party_to_conflict",
        name="KNDF statement",
        url="",
        published_on=date(2023, 11, 12),  # after The Irrawaddy in the sources' order
    )
    report = file_report(
        field_partner,
        title='He said "leave",\nthen they left',
        place=places["demoso"],
        end_date=None,
        public_summary="ဒီမိုဆိုမှ ထွက်ခွာ",
        cause="",
        tags=["Operation 1111", "Demoso"],
        figures=[
            dict(
                metric="newly_displaced",
                qualifier="range",
                value_min=1200,
                value_max=1500,
                destination=places["loikaw_town"],
            ),
            dict(metric="killed", qualifier="at_least", value=2),
        ],
        sources=[news_source, statement, confidential],
        perpetrator="kndf",
        perpetrator_sources=[statement, confidential],
    )
    services.report_submit(report=report, actor=field_partner)
    services.report_approve(report=report, actor=moderator)
    report.refresh_from_db()
    day = timezone.localdate(report.approved_at).isoformat()
    raw = content(client.get("/dashboard/download/reports.csv?metric=newly_displaced"))
    assert raw.decode().split("\r\n")[1:] == [
        f'{report.pk},,,"He said ""leave"",\nthen they left",2023-11-11,,day,MMR002002,'
        "Demoso Township,Township,,,,,kndf,Karenni Nationalities Defence Force,"
        '"KNDF statement, 12 Nov 2023 (party to the conflict): a claim by a party to the '
        'conflict; confidential local source",'
        "Demoso; Operation 1111,newly_displaced,People newly displaced,flow,"
        '"1,200-1,500 people",1200,1350,1500,yes,MMR002001701,Loikaw Town,ဒီမိုဆိုမှ ထွက်ခွာ,'
        '"The Irrawaddy, 13 Nov 2023: Karenni Armed Group Seizes Seven Myanmar Junta Bases Since'
        " Saturday; KNDF statement, 12 Nov 2023 (party to the conflict); confidential local"
        ' source",'
        f"https://www.irrawaddy.com/,{day}",
        "",
    ]
