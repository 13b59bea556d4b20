"""What every output of the counting engine says about a total's qualifier, range and dates, and
about the figures spanning beyond the period or longer than one period (DOMAIN.md rules 3, 4,
7): the API's JSON and schema, and the CSV, HXL, XLSX and GeoJSON tables, from an Answer built
by hand, so the shapes are checked whatever the engine computes."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from reports import aggregates, exports
from reports.aggregates.question import Question
from reports.aggregates.results import Answer, AreaRow, PeriodRow, SpanningFigure, Total
from reports.api.serializers import answer_data, total_data

ND, CD, KILLED = "newly_displaced", "currently_displaced", "killed"
QUESTION = Question(
    start=date(2023, 11, 1), end=date(2023, 12, 31), metrics=(ND, CD, KILLED), period="month"
)
QUERY = "start=2023-11-01&end=2023-12-31&metric=newly_displaced,currently_displaced,killed"

AT_LEAST = Total(ND, 2_000_000, 1_500_000, 0, 2, 3, 3, high_open=True)
STALE_STOCK = Total(
    CD,
    40_000,
    35_000,
    40_000,
    1,
    2,
    2,
    approximate=True,
    as_of_oldest=date(2023, 5, 1),
    as_of_newest=date(2023, 11, 18),
    stale=True,
)
RANGE = Total(KILLED, 21, 19, 25, 3, 3, 3)

TALLY = SpanningFigure(
    metric=KILLED,
    event_id=None,
    name="Civilians killed in Kayah since the coup",
    report_id=101,
    start=date(2021, 2, 1),
    end=date(2024, 1, 31),
    pcode="MMR002",
    place_name="Kayah",
    counted=Total(KILLED, 480, 470, 480, 1, 1, 1),
    adds=Total(KILLED, 459, 449, 459, 1, 1, 1),
)
LONG = SpanningFigure(
    metric=ND,
    event_id=7,
    name="Displacement from Loikaw",
    report_id=55,
    start=date(2023, 11, 20),
    end=date(2023, 12, 10),
    pcode="MMR002001",
    place_name="Loikaw",
    counted=Total(ND, 40_000, 35_000, 0, 1, 2, 2, high_open=True),
    adds=Total(ND, 40_000, 35_000, 0, 1, 2, 2, high_open=True),
)


def hand_built_answer(question=QUESTION) -> Answer:
    """Totals resting on an "at least" figure, a stale approximate stock and a flow with a
    range; a tally spanning beyond the period and a figure longer than one month."""
    totals = {ND: AT_LEAST, CD: STALE_STOCK, KILLED: RANGE}
    return Answer(
        question=question,
        area=None,
        metrics=(ND, CD, KILLED),
        totals=totals,
        by_area=[
            AreaRow("MMR002", "Kayah", False, Decimal("19.67424"), Decimal("97.20993"), totals),
        ],
        by_period=[
            PeriodRow(
                date(2023, 11, 1),
                date(2023, 11, 30),
                "Nov 2023",
                {
                    ND: Total(ND, 1_900_000, 1_420_000, 0, 1, 1, 1, high_open=True),
                    CD: Total(
                        CD,
                        40_000,
                        35_000,
                        40_000,
                        1,
                        2,
                        2,
                        approximate=True,
                        as_of_oldest=date(2023, 11, 18),
                        as_of_newest=date(2023, 11, 18),
                    ),
                    KILLED: Total(KILLED, 19, 17, 23, 2, 2, 2),
                },
            ),
            PeriodRow(
                date(2023, 12, 1),
                date(2023, 12, 31),
                "Dec 2023",
                {
                    ND: Total(ND, 60_000, 45_000, 60_000, 0, 0, 0),
                    CD: STALE_STOCK,
                    KILLED: Total(KILLED, 2, 2, 2, 1, 1, 1),
                },
            ),
        ],
        beyond={KILLED: [TALLY]},
        longer={ND: [LONG]},
    )


# --- JSON -----------------------------------------------------------------------------------


def test_a_total_never_drops_its_qualifier_or_dates():
    assert total_data(AT_LEAST) == {
        "metric": "newly_displaced",
        "best": 2_000_000,
        "low": 1_500_000,
        "high": None,  # no finite high: the sum of the finite highs is not a bound
        "high_open": True,
        "approximate": False,
        "at_most": False,
        "qualifier": "at_least",
        "events": 2,
        "reports": 3,
        "sources": 3,
        "as_of_oldest": None,
        "as_of_newest": None,
        "stale": False,
    }
    assert total_data(STALE_STOCK) == {
        "metric": "currently_displaced",
        "best": 40_000,
        "low": 35_000,
        "high": 40_000,
        "high_open": False,
        "approximate": True,
        "at_most": False,
        "qualifier": "approximately",
        "events": 1,
        "reports": 2,
        "sources": 2,
        "as_of_oldest": "2023-05-01",
        "as_of_newest": "2023-11-18",
        "stale": True,
    }
    assert total_data(RANGE)["qualifier"] == "exact"
    assert (total_data(RANGE)["low"], total_data(RANGE)["high"]) == (19, 25)


def test_the_answer_lists_figures_spanning_beyond_and_longer_per_metric():
    data = answer_data(hand_built_answer(), 1)
    assert data["beyond"] == {
        ND: [],
        CD: [],
        KILLED: [
            {
                "metric": "killed",
                "event": None,
                "name": "Civilians killed in Kayah since the coup",
                "report": 101,
                "start": "2021-02-01",
                "end": "2024-01-31",
                "area": {"pcode": "MMR002", "name": "Kayah"},
                "counted": total_data(TALLY.counted),
                "adds": total_data(TALLY.adds),
            }
        ],
    }
    assert data["longer"][ND][0]["event"] == 7
    assert data["longer"][ND][0]["counted"]["high"] is None
    assert data["longer"][ND][0]["adds"]["qualifier"] == "at_least"
    assert (data["longer"][CD], data["longer"][KILLED]) == ([], [])
    assert data["by_period"][0]["totals"][CD]["as_of_newest"] == "2023-11-18"
    assert data["by_period"][1]["totals"][CD]["stale"] is True
    assert data["by_area"][0]["totals"][ND]["high"] is None


@pytest.fixture
def served(monkeypatch, places):
    """The API and the downloads answer with the hand-built Answer."""
    monkeypatch.setattr(aggregates, "answer", lambda question, **_: hand_built_answer(question))


def test_the_api_serves_the_new_fields(client, served):
    data = client.get(f"/api/v1/aggregates/?{QUERY}").json()
    assert data["totals"][ND]["high"] is None and data["totals"][ND]["high_open"] is True
    assert data["totals"][CD]["as_of_oldest"] == "2023-05-01"
    assert data["totals"][CD]["stale"] is True
    assert data["beyond"][KILLED][0]["adds"]["best"] == 459
    assert data["longer"][ND][0]["start"] == "2023-11-20"


def test_the_schema_describes_the_new_fields(client, db):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    total = schemas["Total"]["properties"]
    assert total["high"]["nullable"] is True
    assert total["as_of_oldest"] == {
        "type": "string",
        "format": "date",
        "nullable": True,
        "description": total["as_of_oldest"]["description"],
    }
    assert {"high_open", "approximate", "stale", "qualifier", "metric"} <= set(total)
    assert set(schemas["Total"]["required"]) >= {"high", "high_open", "qualifier", "stale"}
    aggregate = schemas["Aggregate"]["properties"]
    assert aggregate["beyond"]["additionalProperties"]["items"]["$ref"].endswith("/SpanningFigure")
    spanning = schemas["SpanningFigure"]["properties"]
    assert {"event", "report", "start", "end", "area", "counted", "adds"} <= set(spanning)
    assert spanning["event"]["nullable"] is True


# --- tables ---------------------------------------------------------------------------------


def rows_of(text: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_area_rows_carry_qualifiers_dates_and_the_spanning_beyond_rows(places):
    table = exports.areas_table(hand_built_answer(), site="https://tracker.example")
    rows = rows_of("".join(exports.csv_lines(table)))
    assert [r["row"] for r in rows] == ["total", "area", "spanning beyond"]
    total = rows[0]
    assert [total[f"newly_displaced{s}"] for s in ("", "_low", "_high", "_high_open")] == [
        "2000000",
        "1500000",
        "",  # no finite high
        "true",
    ]
    assert total["newly_displaced_qualifier"] == "at_least"
    assert "newly_displaced_as_of_oldest" not in total  # flows have no as-of columns
    assert [
        total[f"currently_displaced_{s}"]
        for s in ("approximate", "qualifier", "as_of_oldest", "as_of_newest", "stale")
    ] == ["true", "approximately", "2023-05-01", "2023-11-18", "true"]
    assert (total["killed_low"], total["killed"], total["killed_high"]) == ("19", "21", "25")
    assert total["killed_qualifier"] == "exact" and total["figure_name"] == ""
    beyond = rows[2]
    # Its place (a state) in figure_*, never under the breakdown's #adm2 columns (HXL joins).
    assert {k: beyond[k] for k in ("period_start", "period_end", "area_level", "area_pcode")} == {
        "period_start": "2021-02-01",
        "period_end": "2024-01-31",
        "area_level": "",
        "area_pcode": "",
    }
    # Not in the total: its metric columns stay blank, its own numbers are in figure_*.
    assert beyond["killed"] == "" and beyond["killed_qualifier"] == ""
    assert {k: v for k, v in beyond.items() if k.startswith("figure_")} == {
        "figure_metric": "killed",
        "figure_name": "Civilians killed in Kayah since the coup",
        "figure_pcode": "MMR002",
        "figure_place": "Kayah",
        "figure_level": "1",
        "figure_best": "480",
        "figure_low": "470",
        "figure_high": "480",
        "figure_qualifier": "exact",
        "figure_adds": "459",
    }
    assert beyond["report_id"] == "101" and beyond["event_id"] == ""
    assert beyond["evidence_url"] == "https://tracker.example/api/v1/reports/101/"


def test_period_rows_then_longer_then_beyond(places):
    table = exports.periods_table(hand_built_answer())
    rows = rows_of("".join(exports.csv_lines(table)))
    assert [(r["row"], r["period"], r["period_start"], r["period_end"]) for r in rows] == [
        ("period", "Nov 2023", "2023-11-01", "2023-11-30"),
        ("period", "Dec 2023", "2023-12-01", "2023-12-31"),
        ("longer than a period", "", "2023-11-20", "2023-12-10"),
        ("spanning beyond", "", "2021-02-01", "2024-01-31"),
    ]
    assert [r["currently_displaced_stale"] for r in rows[:2]] == ["false", "true"]
    assert rows[1]["currently_displaced_as_of_oldest"] == "2023-05-01"
    longer = rows[2]
    # In the total: its metric columns hold what it adds, so the rows add up to the total.
    assert (longer["newly_displaced"], longer["newly_displaced_high"]) == ("40000", "")
    assert longer["newly_displaced_high_open"] == "true" and longer["killed"] == ""
    assert sum(int(r["newly_displaced"] or 0) for r in rows) == AT_LEAST.best
    assert (longer["area_pcode"], longer["figure_pcode"], longer["figure_place"]) == (
        "",
        "MMR002001",
        "Loikaw",
    )
    assert (longer["figure_level"], longer["event_id"]) == ("3", "7")
    assert longer["evidence_url"] == "/api/v1/reports/55/"
    assert rows[3]["killed"] == "" and rows[3]["figure_adds"] == "459"


def test_hxl_tags_of_the_new_columns(places):
    lines = list(exports.csv_lines(exports.periods_table(hand_built_answer()), hxl=True))
    names, tags = (next(csv.reader([line])) for line in lines[:2])
    tag = dict(zip(names, tags, strict=True))
    assert tag["row"] == "#meta+row"
    assert tag["newly_displaced_high"] == "#affected+idps+new+max"
    assert tag["newly_displaced_high_open"] == "#meta+high_open+newly_displaced"
    assert tag["killed_approximate"] == "#meta+approximate+killed"
    assert tag["killed_qualifier"] == "#meta+qualifier+killed"
    assert tag["currently_displaced_as_of_oldest"] == "#date+as_of+oldest+currently_displaced"
    assert tag["currently_displaced_as_of_newest"] == "#date+as_of+newest+currently_displaced"
    assert tag["currently_displaced_stale"] == "#status+stale+currently_displaced"
    assert (tag["figure_best"], tag["figure_adds"]) == ("#indicator+num", "#indicator+num+adds")
    assert (tag["report_id"], tag["evidence_url"]) == ("#meta+id", "#meta+url")


def test_geojson_properties_and_the_spanning_feature(places):
    features = exports.area_features(hand_built_answer())
    assert [f["properties"]["row"] for f in features] == ["area", "spanning beyond"]
    area, beyond = features
    assert area["properties"]["newly_displaced_high"] is None  # as the API: null, not ""
    assert area["properties"]["newly_displaced_high_open"] is True
    assert area["properties"]["currently_displaced_as_of_newest"] == "2023-11-18"
    assert area["properties"]["currently_displaced_stale"] is True
    assert beyond["geometry"] is None  # Kayah has no point in the gazetteer
    assert beyond["properties"]["figure_best"] == 480
    assert beyond["properties"]["period_start"] == "2021-02-01"
    json.dumps(features)  # plain JSON values only


def test_downloads_and_the_api_files_are_the_same(client, served):
    for download, api in [
        ("areas.csv", "format=csv"),
        ("areas-hxl.csv", "format=hxl"),
        ("periods.csv", "format=csv&table=periods"),
    ]:
        file = b"".join(client.get(f"/dashboard/download/{download}?{QUERY}").streaming_content)
        assert client.get(f"/api/v1/aggregates/?{QUERY}&{api}").content == file, download
    features = json.loads(client.get(f"/dashboard/download/areas.geojson?{QUERY}").content)
    api = client.get(f"/api/v1/aggregates/?{QUERY}&format=geojson").json()
    assert api["features"] == features["features"]
    evidence = features["features"][-1]["properties"]["evidence_url"]
    assert evidence == "http://testserver/api/v1/reports/101/"


def test_xlsx_writes_booleans_and_dates_as_cells(client, served):
    import openpyxl

    response = client.get(f"/dashboard/download/table.xlsx?{QUERY}")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["By period"].iter_rows(values_only=True))
    header = list(rows[0])
    dec = dict(zip(header, rows[2], strict=True))
    assert dec["currently_displaced_stale"] is True
    assert dec["currently_displaced_as_of_oldest"].date() == date(2023, 5, 1)
    assert [r[header.index("row")] for r in rows[1:]] == [
        "period",
        "period",
        "longer than a period",
        "spanning beyond",
    ]
