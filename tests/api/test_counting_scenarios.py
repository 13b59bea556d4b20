"""Issue 11's counting scenarios through GET /api/v1/aggregates/, as an API partner reads them:
spans and "spanning beyond", covering figures and "unspecified within", honest ranges and
qualifiers a program can read, stocks with their dates. Hand-computed, invented numbers."""

import csv
import io
from datetime import date

import pytest

from gazetteer.models import Place
from reports import services
from reports.models import Report

D = date
URL = "/api/v1/aggregates/"


@pytest.fixture
def pekon(places):
    """A township in another state (southern Shan)."""
    shan = Place.objects.create(
        pcode="MMR014", admin_level=1, name_en="Shan (South)", parent=places["MMR"],
        path="/MMR/MMR014/", kind="State",
    )  # fmt: skip
    return Place.objects.create(
        pcode="MMR014005", admin_level=3, name_en="Pekon", parent=shan,
        path="/MMR/MMR014/MMR014005/", kind="Township",
    )  # fmt: skip


@pytest.fixture
def file(places, pekon, field_partner, moderator):
    """file(place, start, end=None, figures, precision=..., published=..., event=...) -> an
    approved report citing one source of its own (named after its title)."""
    named = {**places, "pekon": pekon}

    def make(
        place,
        start,
        end=None,
        figures=(),
        *,
        precision="day",
        title="A report",
        published=None,
        event=None,
    ):
        source = services.source_create(
            actor=moderator,
            source_type="news_media",
            name=f"{title} ({start})",
            published_on=published or end or start,
        )
        made = services.report_create(
            actor=field_partner,
            title=title,
            place=named[place],
            start_date=start,
            end_date=end,
            date_precision=precision,
            figures=[
                f if isinstance(f, dict) else {"metric": f[0], "value": f[1]} for f in figures
            ],
            sources=[source],
        )
        services.report_submit(report=made, actor=field_partner)
        services.report_approve(report=made, actor=moderator)
        if event is not None:
            services.report_link_event(report=made, event=event, actor=moderator)
        made.refresh_from_db()
        return made

    return make


def get(api, **params):
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def flow(metric, best, low=None, high=None, *, events, reports, sources, **flags):
    """A flow total as the API writes it."""
    low = best if low is None else low
    high = best if high is None else high
    bound = flags.get("at_most") and not flags.get("approximate") and high == best
    qualifier = "at_least" if flags.get("high_open") else "at_most" if bound else (
        "approximately" if flags.get("approximate") else "exact")  # fmt: skip
    return {
        "metric": metric,
        "best": best,
        "low": low,
        "high": None if flags.get("high_open") else high,
        "high_open": flags.get("high_open", False),
        "approximate": flags.get("approximate", False),
        "at_most": flags.get("at_most", False),
        "qualifier": qualifier,
        "events": events,
        "reports": reports,
        "sources": sources,
        "as_of_oldest": None,
        "as_of_newest": None,
        "stale": False,
    }


def numbers(total):
    return (total["best"], total["low"], total["high"])


# --- 1. a two-year tally beside monthly reports inside it --------------------------------------


@pytest.fixture
def tally(file):
    made = file(
        "kayah", D(2021, 2, 1), D(2023, 3, 31), [("killed", 500)],
        title="Civilians killed in Karenni since the coup", published=D(2023, 4, 5),
    )  # fmt: skip
    file("loikaw", D(2023, 2, 1), None, [("killed", 7)], precision="month", title="February")
    file("demoso", D(2023, 3, 1), None, [("killed", 5)], precision="month", title="March")
    file("loikaw", D(2022, 6, 1), None, [("killed", 10)], precision="month", title="June")
    return made


def test_a_year_inside_a_tally_and_the_tally_beside_it(api, tally):
    data = get(api, start="2023-01-01", end="2023-12-31", metric="killed")
    assert data["totals"]["killed"] == flow("killed", 12, events=2, reports=2, sources=2)
    [beyond] = data["beyond"]["killed"]
    assert set(beyond) == {
        "metric", "event", "name", "report", "start", "end", "area", "counted", "adds",
    }  # fmt: skip
    assert (beyond["metric"], beyond["event"], beyond["name"], beyond["report"]) == (
        "killed",
        None,
        "Civilians killed in Karenni since the coup",
        tally.pk,
    )
    assert (beyond["start"], beyond["end"]) == ("2021-02-01", "2023-03-31")
    assert beyond["area"]["pcode"] == "MMR002" and set(beyond["area"]) == {"pcode", "name"}
    assert beyond["counted"] == flow("killed", 500, events=1, reports=1, sources=1)
    assert numbers(beyond["adds"]) == (478, 478, 478)
    assert data["longer"].get("killed", []) == []

    february = get(api, start="2023-02-01", end="2023-02-28", metric="killed")
    assert february["totals"]["killed"] == flow("killed", 7, events=1, reports=1, sources=1)
    assert [f["report"] for f in february["beyond"]["killed"]] == [tally.pk]


def test_the_tallys_whole_span_by_township_and_by_year(api, tally):
    span = {"start": "2021-02-01", "end": "2023-03-31", "metric": "killed"}
    by_township = get(api, **span, area="MMR002", level=3)
    assert by_township["totals"]["killed"] == flow("killed", 500, events=4, reports=4, sources=4)
    assert [(r["pcode"], r["unspecified"], r["totals"]["killed"]["best"])
            for r in by_township["by_area"]] == [
        ("MMR002001", False, 17), ("MMR002002", False, 5), (None, True, 478),
    ]  # fmt: skip
    assert by_township["beyond"].get("killed", []) == []

    by_year = get(api, **span, period="year")
    assert [(r["label"], r["totals"]["killed"]["best"]) for r in by_year["by_period"]] == [
        ("2021", 0),
        ("2022", 10),
        ("2023", 12),
    ]
    [longer] = by_year["longer"]["killed"]
    assert (longer["report"], longer["start"], longer["end"]) == (
        tally.pk,
        "2021-02-01",
        "2023-03-31",
    )
    assert (longer["counted"]["best"], longer["adds"]["best"]) == (500, 478)
    assert sum(r["totals"]["killed"]["best"] for r in by_year["by_period"]) + sum(
        f["adds"]["best"] for f in by_year["longer"]["killed"]
    ) == by_year["totals"]["killed"]["best"] == 500  # fmt: skip

    monthly = get(api, start="2023-01-01", end="2023-12-31", metric="killed", period="month")
    assert [r["totals"]["killed"]["best"] for r in monthly["by_period"]] == [
        0, 7, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]  # fmt: skip
    assert [f["report"] for f in monthly["beyond"]["killed"]] == [tally.pk]


# --- 2 and 3. a figure covering a township's -------------------------------------------------


def test_a_nationwide_figure_since_a_date_is_not_added_to_a_township_inside_it(api, file):
    un = file("MMR", D(2023, 10, 27), D(2023, 12, 1), [("newly_displaced", 335000)],
              title="Newly displaced since 27 October")  # fmt: skip
    file("loikaw", D(2023, 11, 10), None, [("newly_displaced", 2000)], title="Loikaw")

    year = get(api, start="2023-01-01", end="2023-12-31", metric="newly_displaced")
    assert year["totals"]["newly_displaced"] == flow(
        "newly_displaced", 335000, events=2, reports=2, sources=2
    )
    assert [(r["pcode"], r["totals"]["newly_displaced"]["best"]) for r in year["by_area"]] == [
        ("MMR002", 2000),
        (None, 333000),
    ]
    november = get(api, start="2023-11-01", end="2023-11-30", metric="newly_displaced")
    assert november["totals"]["newly_displaced"]["best"] == 2000
    [beyond] = november["beyond"]["newly_displaced"]
    assert (beyond["report"], beyond["start"], beyond["end"], beyond["area"]["pcode"]) == (
        un.pk,
        "2023-10-27",
        "2023-12-01",
        "MMR",
    )
    assert (beyond["counted"]["best"], beyond["adds"]["best"]) == (335000, 333000)


def test_a_state_figure_for_a_month_beside_a_township_incident(api, file):
    file("kayah", D(2023, 11, 1), None, [("newly_displaced", 3000)], precision="month")
    file("loikaw", D(2023, 11, 14), None, [("newly_displaced", 500)], title="Incident")
    data = get(api, start="2023-11-01", end="2023-11-30", metric="newly_displaced",
               area="MMR002", level=3)  # fmt: skip
    assert data["totals"]["newly_displaced"]["best"] == 3000
    assert [
        (r["pcode"], r["name"], r["unspecified"], r["totals"]["newly_displaced"]["best"])
        for r in data["by_area"]
    ] == [
        ("MMR002001", "Loikaw Township", False, 500),
        (None, "Unspecified within Kayah", True, 2500),
    ]


# --- 5 and 6. ranges and qualifiers a program can read -----------------------------------------


def test_an_at_least_stock_has_no_high(api, file):
    at_least = {"metric": "currently_displaced", "qualifier": "at_least", "value": 2000000}
    file("kayah", D(2023, 11, 30), None, [at_least])
    file("pekon", D(2023, 12, 1), None, [("currently_displaced", 1000)])
    data = get(api, end="2023-12-31", metric="currently_displaced")
    total = data["totals"]["currently_displaced"]
    assert {k: v for k, v in total.items() if k != "sources"} == {
        "metric": "currently_displaced",
        "best": 2001000,
        "low": 2001000,
        "high": None,
        "high_open": True,
        "approximate": False,
        "at_most": False,
        "qualifier": "at_least",
        "events": 2,
        "reports": 2,
        "as_of_oldest": "2023-11-30",
        "as_of_newest": "2023-12-01",
        "stale": False,
    }
    assert data["beyond"].get("currently_displaced", []) == []


def test_an_approximate_figure_in_a_total(api, file):
    file("loikaw", D(2023, 11, 13), None,
         [{"metric": "newly_displaced", "qualifier": "approximately", "value": 35000}])  # fmt: skip
    file("pekon", D(2023, 11, 14), None, [("newly_displaced", 100)])
    data = get(api, metric="newly_displaced")
    assert data["totals"]["newly_displaced"] == flow(
        "newly_displaced", 35100, events=2, reports=2, sources=2, approximate=True
    )


def test_an_at_most_figure_in_a_total(api, file):
    """ "Up to 50 killed" beside 12: the total is at most 62, from 12 (rule 7: a qualifier is
    never dropped), in the API's fields and in its CSV's qualifier column; beside an "at
    least" figure too, it has no bound above and reads "at least", its mark kept."""
    file("demoso", D(2023, 11, 15), None,
         [{"metric": "killed", "qualifier": "at_most", "value": 50}])  # fmt: skip
    file("loikaw", D(2023, 11, 13), None, [("killed", 12)])
    assert get(api, metric="killed")["totals"]["killed"] == flow(
        "killed", 62, 12, 62, events=2, reports=2, sources=2, at_most=True
    )
    table = api.get(URL, {"metric": "killed", "format": "csv"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(table)))
    assert [(r["row"], r["area_name"], r["killed"], r["killed_qualifier"]) for r in rows] == [
        ("total", "All areas", "62", "at_most"),
        ("area", "Kayah", "62", "at_most"),
    ]
    file("pekon", D(2023, 11, 14), None,
         [{"metric": "killed", "qualifier": "at_least", "value": 9}])  # fmt: skip
    assert get(api, metric="killed")["totals"]["killed"] == flow(
        "killed", 71, 21, None, events=3, reports=3, sources=3, high_open=True, at_most=True
    )


def test_at_most_only_where_the_best_is_then_a_bound(api, file):
    """An "at most 20" for Kayah's November covering townships' 30 and 40 adds nothing (rule
    5): 70, exact, and the "unspecified within" row is 0, not "at most 0". Beside an
    "approximately" figure the best of "at most 50" and "about 100" is no bound: approximately
    150, its flag kept."""
    at_most = {"metric": "killed", "qualifier": "at_most", "value": 20}
    file("kayah", D(2023, 11, 1), D(2023, 11, 30), [at_most], title="Monthly tally")
    file("loikaw", D(2023, 11, 13), None, [("killed", 30)])
    file("demoso", D(2023, 11, 15), None, [("killed", 40)])
    data = get(api, metric="killed", start="2023-11-01", end="2023-11-30", area="MMR002")
    assert data["totals"]["killed"] == flow("killed", 70, events=3, reports=3, sources=3)
    rest = [row for row in data["by_area"] if row["pcode"] is None]
    assert [(r["totals"]["killed"]["best"], r["totals"]["killed"]["qualifier"]) for r in rest] == [
        (0, "exact")
    ]

    about = {"metric": "killed", "qualifier": "approximately", "value": 100}
    file("pekon", D(2023, 12, 2), None, [about])
    file("pekon", D(2023, 12, 3), None, [{**at_most, "value": 50}])
    data = get(api, metric="killed", start="2023-12-01", end="2023-12-31")
    assert data["totals"]["killed"] == flow(
        "killed", 150, 100, 150, events=2, reports=2, sources=2, approximate=True, at_most=True
    )


def test_two_sources_disagreeing_on_one_event_and_an_unrelated_event(api, file, moderator):
    event = services.event_create(actor=moderator, name="Displacement from Loikaw, November 2023")
    file("loikaw", D(2023, 11, 11), D(2023, 11, 13), [("newly_displaced", 35000)],
         title="The Irrawaddy", published=D(2023, 11, 13), event=event)  # fmt: skip
    file("loikaw", D(2023, 11, 11), D(2023, 11, 13), [("newly_displaced", 40000)],
         title="UN OCHA", published=D(2023, 11, 20), event=event)  # fmt: skip
    assert get(api, metric="newly_displaced")["totals"]["newly_displaced"] == flow(
        "newly_displaced", 40000, 35000, 40000, events=1, reports=2, sources=2
    )

    file("demoso", D(2023, 11, 15), None, [("newly_displaced", 1000)], title="Camp committee")
    assert get(api, metric="newly_displaced")["totals"]["newly_displaced"] == flow(
        "newly_displaced", 41000, 36000, 41000, events=2, reports=3, sources=3
    )


# --- 7. a stale stock --------------------------------------------------------------------------


def test_a_stale_stock_says_so(api, file, settings):
    settings.TRACKER_STOCK_STALE_DAYS = 180
    file("loikaw", D(2023, 11, 15), None, [("currently_displaced", 8000)])
    file("pekon", D(2024, 3, 1), None, [("currently_displaced", 1500)])

    def dates(**params):
        total = get(api, metric="currently_displaced", **params)["totals"]["currently_displaced"]
        return (total["best"], total["as_of_oldest"], total["as_of_newest"], total["stale"])

    assert dates(end="2024-12-31") == (9500, "2023-11-15", "2024-03-01", True)
    assert dates(end="2024-03-31") == (9500, "2023-11-15", "2024-03-01", False)
    assert dates(end="2023-12-31") == (8000, "2023-11-15", "2023-11-15", False)
    assert dates(end="2024-12-31", area="MMR014") == (1500, "2024-03-01", "2024-03-01", True)
    assert dates(end="2024-06-30", area="MMR014") == (1500, "2024-03-01", "2024-03-01", False)


# --- 8. a figure without dates is refused at submission ----------------------------------------


@pytest.mark.usefixtures("api_with_the_key")
@pytest.mark.parametrize("start_date", ["absent", None, ""])
def test_a_report_without_a_start_date_is_refused_naming_the_field(api, places, start_date):
    body = {
        "title": "Residents flee Loikaw",
        "place": "MMR002001701",
        "end_date": "2023-11-13",
        "figures": [{"metric": "newly_displaced", "value": 35000}],
    }
    if start_date != "absent":
        body["start_date"] = start_date
    response = api.post("/api/v1/submissions/", body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [e["attr"] for e in errors] == ["start_date"]
    assert errors[0]["detail"]
    assert Report.objects.count() == 0
