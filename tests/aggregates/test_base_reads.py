"""The base-table path reads only the figures a question can need (from_base_tables.Evidence:
the events with a figure that could be counted, then what the counted flows may cover): on
random reports, events, references, long spans, destinations and stocks, every answer and
every list of evidence is the one computed from every figure of the pool."""

import contextlib
from dataclasses import replace
from datetime import date, timedelta

from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from reports import services
from reports.aggregates import Question
from reports.aggregates.from_base_tables import answer_from_base, evidence_from_base
from reports.aggregates.question import make_plan
from reports.exceptions import ActionRefused
from tests.aggregates.examples import engine_examples

DAY0 = date(2022, 10, 1)
METRICS = ("newly_displaced", "killed", "currently_displaced")
DESTINATION_METRICS = ("newly_displaced", "currently_displaced")
PLACES = ("MMR", "MMR002", "MMR002D001", "MMR002001", "MMR002002", "MMR002001701", "MMR014",
          "MMR014009")  # fmt: skip
AREAS = (None, "MMR", "MMR002", "MMR002D001", "MMR002001", "MMR014")

figure = st.fixed_dictionaries(
    {
        "metric": st.sampled_from(METRICS),
        "value": st.integers(0, 40),
        "qualifier": st.sampled_from(["exact", "exact", "approximately", "at_least"]),
        "destination": st.sampled_from([None, None, *PLACES]),
    }
)
report = st.fixed_dictionaries(
    {
        "place": st.sampled_from(PLACES),
        "day": st.integers(0, 500),
        # Long spans: figures covering others across the periods asked.
        "length": st.sampled_from([None, None, 0, 3, 40, 200, 700]),
        "precision": st.sampled_from(["day", "day", "week", "month", "year"]),
        "figures": st.lists(figure, min_size=1, max_size=3),
        "published": st.none() | st.integers(0, 600),
        "event": st.sampled_from([None, None, 0, 1, 2]),
        "cause": st.sampled_from(["", "airstrike"]),
    }
)
question = st.fixed_dictionaries(
    {
        "area": st.sampled_from(AREAS),
        "start": st.none() | st.integers(0, 500) | st.just(date(2023, 1, 1)),
        "end": st.none() | st.integers(0, 700) | st.just(date(2023, 12, 31)),
        "destination": st.sampled_from([None, None, "none", "MMR002", "MMR002001", "MMR014"]),
        "by": st.sampled_from([None, None, "destination"]),
        "cause": st.sampled_from([None, None, "airstrike"]),
    }
)
scenario = st.fixed_dictionaries(
    {
        "reports": st.lists(report, min_size=1, max_size=10),
        # (event, which figure of its reports) chosen as the event's reference
        "references": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 20)), max_size=2),
        "questions": st.lists(question, min_size=1, max_size=4),
    }
)


def build(data, gazetteer, partner, moderator) -> None:
    events = [services.event_create(actor=moderator, name=f"Event {i}") for i in range(3)]
    for spec in data["reports"]:
        start = DAY0 + timedelta(days=spec["day"])
        stock = any(f["metric"] == "currently_displaced" for f in spec["figures"])
        published = spec["published"]
        source = services.source_create(
            actor=moderator,
            source_type="news_media",
            name="A source",
            published_on=None if published is None else DAY0 + timedelta(days=published),
        )
        made = services.report_create(
            actor=partner,
            title="Random report",
            place=gazetteer[spec["place"]],
            start_date=start,
            end_date=None if spec["length"] is None else start + timedelta(days=spec["length"]),
            date_precision="day" if stock else spec["precision"],
            cause=spec["cause"],
            sources=[source],
            figures=[
                {
                    "metric": f["metric"],
                    "qualifier": f["qualifier"],
                    "value": f["value"],
                    "destination": gazetteer[f["destination"]]
                    if f["destination"] and f["metric"] in DESTINATION_METRICS
                    else None,
                }
                for f in spec["figures"]
            ],
        )
        services.report_submit(report=made, actor=partner)
        services.report_approve(report=made, actor=moderator)
        if spec["event"] is not None:
            services.report_link_event(report=made, event=events[spec["event"]], actor=moderator)
    for index, which in data["references"]:
        event = events[index]
        figures = [f for r in event.reports.order_by("pk") for f in r.figures.order_by("pk")]
        if figures:
            with contextlib.suppress(ActionRefused):
                services.event_set_reference_figure(
                    event=event, figure=figures[which % len(figures)], actor=moderator
                )


def as_question(spec) -> Question:
    def day(value):
        return DAY0 + timedelta(days=value) if isinstance(value, int) else value

    start, end = day(spec["start"]), day(spec["end"])
    if start and end and end < start:
        start, end = end, start
    return Question(
        start=start,
        end=end,
        area=spec["area"],
        metrics=METRICS,
        destination=spec["destination"],
        by=spec["by"],
        cause=spec["cause"],
    )


@engine_examples
@given(data=scenario)
def test_the_narrowed_reads_give_what_every_figure_gives(data, gazetteer, field_partner, moderator):
    with transaction.atomic():
        build(data, gazetteer, field_partner, moderator)
        for spec in data["questions"]:
            plan = make_plan(as_question(spec))
            assert answer_from_base(plan) == answer_from_base(plan, everything=True)
            assert answer_from_base(plan, lines=1) == answer_from_base(
                plan, lines=1, everything=True
            )
            for metric in METRICS:
                one = make_plan(replace(as_question(spec), metrics=(metric,)))
                assert evidence_from_base(one, metric) == evidence_from_base(
                    one, metric, everything=True
                )
        transaction.set_rollback(True)


def test_a_covering_figure_outside_the_period_keeps_what_it_adds(world):
    """A state's two-year figure reaching into 2024 covers a township's figure of 2023: the
    answer for 2024 lists it beyond the period with what it adds (40 - 15), though the figure
    it covers lies outside the period asked."""
    world["report"]("loikaw", date(2023, 3, 10), [("newly_displaced", 15)])
    world["report"]("kayah", date(2024, 6, 30), [("newly_displaced", 40)], start=date(2022, 7, 1))
    plan = make_plan(
        Question(
            area="MMR002",
            start=date(2024, 1, 1),
            end=date(2024, 12, 31),
            metrics=("newly_displaced",),
        )  # fmt: skip
    )
    answer = answer_from_base(plan)
    assert answer.totals["newly_displaced"].events == 0
    [line] = answer.beyond["newly_displaced"]
    assert (line.counted.best, line.adds.best) == (40, 25)
    assert answer == answer_from_base(plan, everything=True)


def test_arrivals_count_what_a_covering_figure_adds_beyond_figures_going_elsewhere(world):
    """Arrivals into Demoso: a Kayah figure for November going to Demoso covers a Loikaw
    figure inside it going to Shan; what it adds (1,000 - 300) is what arrives, though the
    covered figure goes elsewhere."""
    world["report"](
        "loikaw",
        date(2023, 11, 10),
        [{"metric": "newly_displaced", "value": 300, "destination": world["shan"]}],
    )
    world["report"](
        "kayah",
        date(2023, 11, 30),
        [{"metric": "newly_displaced", "value": 1000, "destination": world["demoso"]}],
        start=date(2023, 11, 1),
    )
    plan = make_plan(
        Question(
            destination="MMR002002",
            start=date(2023, 11, 1),
            end=date(2023, 11, 30),
            metrics=("newly_displaced",),
            by="destination",
        )  # fmt: skip
    )
    answer = answer_from_base(plan)
    total = answer.totals["newly_displaced"]
    assert (total.best, total.events) == (700, 1)
    # Demoso is a township: its arrivals are "unspecified within" it at the village tracts.
    assert [(row.name, row.totals["newly_displaced"].best) for row in answer.by_area] == [
        ("Unspecified within Demoso Township", 700)
    ]
    assert answer == answer_from_base(plan, everything=True)
