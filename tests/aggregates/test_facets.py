"""Questions narrowed to one cause, one source type or one tag are read from the summaries kept
for that narrower pool of evidence (aggregates/facets.py), and give the numbers of the rules
applied to that pool: the figure counted for an event is chosen among the matching reports."""

from datetime import date

from taggit.models import Tag

from reports import aggregates, services
from reports.aggregates import Question
from reports.aggregates.facets import facet_of
from reports.aggregates.from_base_tables import answer_from_base
from reports.aggregates.question import make_plan
from tests.aggregates.conftest import as_tuple
from tests.conftest import source_fields

D = date
KAYAH_2023 = {"area": "MMR002", "start": D(2023, 1, 1), "end": D(2023, 12, 31)}


def killed(**filters):
    question = Question(metrics=("killed",), **KAYAH_2023, **filters)
    found = aggregates.answer(question)
    # The same numbers as the rules applied to the base tables directly.
    assert found == answer_from_base(make_plan(question))
    return as_tuple(found.totals["killed"])


def test_an_event_counts_the_latest_figure_among_the_reports_asked_about(file, moderator):
    event = services.event_create(actor=moderator, name="Airstrike on a camp")
    strike = file("loikaw", D(2023, 11, 13), figures=[("killed", 10)], cause="airstrike",
                  tags=["Operation 1111"], published=D(2023, 11, 14))  # fmt: skip
    later = file("loikaw", D(2023, 11, 13), figures=[("killed", 12)], title="Later count",
                 published=D(2023, 11, 20))  # fmt: skip
    for report in (strike, later):
        services.report_link_event(report=report, event=event, actor=moderator)

    assert killed() == (12, 10, 12, 1, 2, 2)  # the later report's figure, the event's range
    assert killed(cause="airstrike") == (10, 10, 10, 1, 1, 1)  # only the report of that cause
    assert killed(tag="operation 1111") == (10, 10, 10, 1, 1, 1)  # any case
    assert killed(source_type="news_media") == (12, 10, 12, 1, 2, 2)
    assert killed(source_type="un_ingo") == (0, 0, 0, 0, 0, 0)
    assert killed(cause="artillery") == (0, 0, 0, 0, 0, 0)
    # An event, or two filters at once, are answered from the base tables.
    assert facet_of(Question(cause="airstrike", tag="x")) is None
    assert facet_of(Question(event=event.pk)) is None
    assert killed(cause="airstrike", tag="Operation 1111") == (10, 10, 10, 1, 1, 1)
    assert killed(event=event.pk) == (12, 10, 12, 1, 2, 2)
    assert aggregates.verify_summaries() == []


def test_covering_is_decided_within_the_narrowed_evidence(file):
    # A monthly state tally of any cause covers a township airstrike inside it; asked about
    # airstrikes, only the airstrike is in the pool, so nothing covers it.
    file("kayah", D(2023, 11, 1), D(2023, 11, 30), figures=[("killed", 30)], title="Monthly")
    file("loikaw", D(2023, 11, 13), figures=[("killed", 8)], cause="airstrike", title="Strike")

    assert killed() == (30, 30, 30, 2, 2, 2)  # the larger of the tally and what it covers
    assert killed(cause="airstrike") == (8, 8, 8, 1, 1, 1)
    assert aggregates.verify_summaries() == []


def test_edits_move_reports_between_the_narrowed_summaries(file, moderator):
    report = file("loikaw", D(2023, 11, 13), figures=[("killed", 5)], cause="airstrike",
                  tags=["Flood"])  # fmt: skip
    assert killed(cause="airstrike") == (5, 5, 5, 1, 1, 1)

    services.report_update(report=report, actor=moderator, cause="artillery", tags=["Op 1027"])
    assert killed(cause="airstrike") == (0, 0, 0, 0, 0, 0)
    assert killed(cause="artillery") == (5, 5, 5, 1, 1, 1)
    assert killed(tag="flood") == (0, 0, 0, 0, 0, 0)
    assert killed(tag="OP 1027") == (5, 5, 5, 1, 1, 1)
    assert aggregates.verify_summaries() == []

    source = report.sources.get()
    services.source_update(
        actor=moderator, source=source, **source_fields(source, source_type="un_ingo")
    )
    assert killed(source_type="news_media") == (0, 0, 0, 0, 0, 0)
    assert killed(source_type="un_ingo") == (5, 5, 5, 1, 1, 1)

    tag = Tag.objects.get(name="Op 1027")
    services.tag_update(actor=moderator, tag=tag, name="Operation 1027", slug=tag.slug)
    assert killed(tag="Op 1027") == (0, 0, 0, 0, 0, 0)
    assert killed(tag="operation 1027") == (5, 5, 5, 1, 1, 1)
    assert aggregates.verify_summaries() == []

    services.report_retract(report=report, actor=moderator, reason="Duplicate of another.")
    assert killed(cause="artillery") == (0, 0, 0, 0, 0, 0)
    assert killed(source_type="un_ingo") == (0, 0, 0, 0, 0, 0)
    assert aggregates.verify_summaries() == []


def test_a_tag_is_matched_alike_by_the_summaries_and_the_base_tables(file, moderator):
    # Case beyond ASCII (SQLite's LIKE folds only ASCII) and spaces in a renamed tag.
    file("loikaw", D(2023, 11, 13), figures=[("killed", 5)], tags=["Évacuation"])
    file("demoso", D(2023, 11, 14), figures=[("killed", 2)], tags=["Op 1027"], title="Other")
    assert killed(tag="évacuation") == (5, 5, 5, 1, 1, 1)
    tag = Tag.objects.get(name="Op 1027")
    services.tag_update(actor=moderator, tag=tag, name="Operation   1027 ", slug=tag.slug)
    assert Tag.objects.get(pk=tag.pk).name == "Operation 1027"
    assert killed(tag="operation 1027") == (2, 2, 2, 1, 1, 1)
    assert aggregates.verify_summaries() == []


def test_asking_for_no_lines_still_says_how_many_there_are(file):
    file("loikaw", D(2023, 10, 30), D(2023, 11, 2), [("injured", 4)], title="Across")
    question = Question(metrics=("injured",), start=D(2023, 10, 1), end=D(2023, 11, 30),
                        period="month")  # fmt: skip
    none = aggregates.answer(question, lines=0)
    assert (none.longer, none.longer_more) == ({"injured": []}, {"injured": 1})
    assert answer_from_base(make_plan(question), lines=0) == none


def test_a_question_from_the_base_tables_counts_the_same_read_in_batches(
    file, moderator, monkeypatch
):
    # The events, reports, publication dates, references and sources of a large pool are read
    # by their ids: all at once on PostgreSQL (one array each), a batch at a time elsewhere.
    # One id a batch changes nothing; each number below rests on one of those reads.
    file("demoso", D(2023, 12, 2), figures=[("killed", 3)], cause="airstrike", tags=["Flood"],
         title="Alone")  # fmt: skip
    file("demoso", D(2023, 12, 3), figures=[("killed", 2)], cause="airstrike", tags=["Flood"],
         title="Alone too")  # fmt: skip
    market = services.event_create(actor=moderator, name="Strike on a market")
    later = file("demoso", D(2023, 10, 5), figures=[("killed", 7)], cause="airstrike",
                 tags=["Flood"], published=D(2023, 10, 9), title="Market")  # fmt: skip
    early = file("demoso", D(2023, 10, 5), figures=[("killed", 5)], cause="airstrike",
                 tags=["Flood"], published=D(2023, 10, 6), title="Market, early")  # fmt: skip
    for report in (later, early):
        services.report_link_event(report=report, event=market, actor=moderator)
    # The market's reference figure: the lower, earlier one.
    services.event_set_reference_figure(event=market, figure=early.figures.get(), actor=moderator)
    village = services.event_create(actor=moderator, name="Shelling of a village")
    # Filed first and published last: a lost publication date (the approval day instead)
    # would choose the other figure.
    first = file("loikaw", D(2023, 11, 13), figures=[("killed", 10)], cause="airstrike",
                 tags=["Flood"], published=D(2023, 11, 20))  # fmt: skip
    second = file("loikaw", D(2023, 11, 13), figures=[("killed", 14)], cause="airstrike",
                  tags=["Flood"], published=D(2023, 11, 14), title="Second count")  # fmt: skip
    for report in (first, second):
        services.report_link_event(report=report, event=village, actor=moderator)

    whole = killed(cause="airstrike", tag="Flood")
    # 10 (the latest published) + 5 (the reference) + 3 + 2; the ranges 10-14 and 5-7.
    assert whole == (20, 20, 26, 4, 6, 6)
    monkeypatch.setattr("reports.aggregates.assemble.CHUNK", 1)
    assert killed(cause="airstrike", tag="Flood") == whole
    # Every figure of the pool read at once: the reports' dates and references in batches.
    question = Question(metrics=("killed",), cause="airstrike", tag="Flood", **KAYAH_2023)
    everything = answer_from_base(make_plan(question), everything=True)
    assert as_tuple(everything.totals["killed"]) == whole
