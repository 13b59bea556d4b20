"""An approval and a retraction read and write the summaries of every facet of their report
together (issue 11: fewer round trips): the numbers of each facet, the public record, the
history and the notice come out as before."""

import json
from datetime import date

from reports import aggregates, publication, services
from reports.aggregates import Question
from reports.models import Notification, PublicReport, Report, ReportHistory
from reports.models.notifications import NotificationKind
from tests.aggregates.conftest import as_tuple

D = date


def best(metric, **question):
    return as_tuple(aggregates.answer(Question(metrics=(metric,), **question)).totals[metric])[0]


def test_a_report_of_many_facets_approved_and_retracted(world, moderator, field_partner):
    ocha = world["source"]("OCHA flash update", D(2023, 7, 1), "un_ingo")
    # A state's tally for the half year covers the township's figure (rule 5); a stock in
    # another township of the state stands beside it.
    world["report"](
        "kayah", D(2023, 6, 30), [("killed", 1000)], start=D(2023, 1, 1), sources=[ocha]
    )
    world["report"]("demoso", D(2023, 3, 1), [("currently_displaced", 400)], sources=[ocha])
    pending = world["report"](
        "loikaw",
        D(2023, 2, 10),
        [("killed", 10), ("currently_displaced", 500)],
        sources=[ocha, world["source"]("Kantarawaddy Times", D(2023, 2, 11))],
        cause="airstrike",
        tags=["Market"],
        approve=False,
    )
    version = pending.version

    returned = services.report_approve(report=pending, actor=moderator)

    stored = Report.objects.get(pk=pending.pk)
    assert returned is pending
    assert (pending.status, pending.version) == ("approved", version + 1)
    assert (pending.approved_at, pending.updated_at) == (stored.approved_at, stored.updated_at)
    assert pending.submitted_by == field_partner
    entry = ReportHistory.objects.get(report=pending, action="approve")
    assert (entry.actor, entry.from_status, entry.to_status) == (moderator, "submitted", "approved")
    assert list(
        Notification.objects.filter(report=pending, history=entry).values_list("recipient", "kind")
    ) == [(field_partner.pk, NotificationKind.DECISION)]
    assert PublicReport.objects.filter(pk=pending.pk).exists()
    assert aggregates.verify_summaries() == []
    assert publication.verify() == []
    assert best("killed") == 1000
    assert best("killed", cause="airstrike") == 10
    assert best("killed", source_type="un_ingo") == 1000
    assert best("killed", source_type="news_media") == 10
    assert best("killed", tag="Market") == 10
    assert best("currently_displaced", area="MMR002") == 900
    assert best("currently_displaced", cause="airstrike") == 500
    assert best("currently_displaced", source_type="news_media") == 500

    services.report_retract(report=pending, actor=moderator, reason="Counted twice.")

    assert (pending.status, pending.version) == ("retracted", version + 2)
    assert not PublicReport.objects.filter(pk=pending.pk).exists()
    assert aggregates.verify_summaries() == []
    assert publication.verify() == []
    assert best("killed") == 1000
    assert best("killed", cause="airstrike") == 0
    assert best("killed", source_type="news_media") == 0
    assert best("currently_displaced", area="MMR002") == 400
    assert best("currently_displaced", tag="Market") == 0


def test_an_edit_of_an_approved_report_rewrites_its_public_record(world, moderator):
    report = world["report"]("loikaw", D(2023, 2, 10), [("killed", 10)])
    services.report_update(report=report, actor=moderator, title="Renamed")
    assert json.loads(PublicReport.objects.get(pk=report.pk).document)["title"] == "Renamed"
    assert publication.verify() == []
    assert best("killed") == 10


def test_a_report_of_several_sources_and_tags_is_in_each_of_their_facets(world, moderator):
    # Its facets are read with one row per source, and its tags apart: two source types and
    # two tags make four rows, and each facet must count the report once.
    pending = world["report"](
        "loikaw",
        D(2023, 2, 10),
        [("killed", 7)],
        sources=[
            world["source"]("OCHA flash update", D(2023, 2, 11), "un_ingo"),
            world["source"]("Kantarawaddy Times", D(2023, 2, 12)),
        ],
        tags=["Market", "Church"],
        approve=False,
    )

    services.report_approve(report=pending, actor=moderator)

    assert aggregates.verify_summaries() == []
    for question in ({}, {"source_type": "un_ingo"}, {"source_type": "news_media"}):
        assert best("killed", **question) == 7
    for tag in ("market", "Church"):
        assert best("killed", tag=tag) == 7
    assert best("killed", tag="School") == 0
