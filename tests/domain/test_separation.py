"""Marking two figures as counted separately (counting rule 5), through the services: what a
mark writes, what is refused (changing nothing), and which figures the moderator is offered
(selectors.covering_candidates). The totals that follow from a mark are the engine's tests."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from reports import aggregates, selectors, services
from reports.aggregates.spans import Span
from reports.exceptions import NotPermitted
from reports.models import ReportHistory, SeparateFigures
from reports.workflow import Action

NOVEMBER = dict(start_date=date(2023, 11, 1), end_date=date(2023, 11, 30))


@pytest.fixture(autouse=True)
def followed(monkeypatch):
    """The reports whose counts the services brought up to date, in order. The engine itself
    is left out: its totals have their own tests (tests/aggregates/)."""
    calls = []
    monkeypatch.setattr(
        aggregates, "follow_report", lambda report, **kwargs: calls.append(report.pk)
    )
    return calls


@pytest.fixture
def approved(field_partner, moderator, file_report):
    """approved(**overrides) -> an approved report, filed and submitted by the partner."""

    def make(**overrides):
        report = file_report(field_partner, **overrides)
        services.report_submit(report=report, actor=field_partner)
        return services.report_approve(report=report, actor=moderator)

    return make


@pytest.fixture
def kayah_november(approved, places):
    """Kayah State, all of November 2023: 50,000 newly displaced (covers Loikaw Town's)."""
    return approved(
        title="Kayah displacement in November",
        place=places["kayah"],
        figures=[dict(metric="newly_displaced", value=50000)],
        **NOVEMBER,
    )


@pytest.fixture
def loikaw_town(approved):
    """Loikaw Town, 11-13 November 2023: about 35,000 newly displaced (the file_report default)."""
    return approved()


def figure_of(report):
    return report.figures.get()


def history(report):
    return list(
        ReportHistory.objects.filter(
            report=report, action__in=[Action.MARK_SEPARATE, Action.UNMARK_SEPARATE]
        ).values_list("action", "actor__username", "note", "changes")
    )


def unchanged(*reports):
    """What a refused mark or unmark must leave exactly as it was."""
    return (
        list(SeparateFigures.objects.values_list("first", "second", "reason")),
        [r.history.count() for r in reports],
    )


# --- marking and unmarking ------------------------------------------------------------------


def test_a_mark_is_stored_once_lower_id_first_with_history_on_both_reports(
    moderator, kayah_november, loikaw_town
):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    assert wide.pk < narrow.pk

    # Given the other way round, and as ids.
    mark = services.figures_mark_separate(
        actor=moderator, first=narrow.pk, second=wide.pk, reason="  UNHCR: excludes Loikaw Town "
    )

    assert (mark.first_id, mark.second_id, mark.metric, mark.reason, mark.marked_by) == (
        wide.pk,
        narrow.pk,
        "newly_displaced",
        "UNHCR: excludes Loikaw Town",
        moderator,
    )
    assert SeparateFigures.objects.count() == 1
    assert history(kayah_november) == [
        (
            "mark_separate",
            "moderator",
            "UNHCR: excludes Loikaw Town",
            {
                "figure": wide.pk,
                "separate_from_figure": [None, narrow.pk],
                "separate_from_report": [None, loikaw_town.pk],
            },
        )
    ]
    assert history(loikaw_town) == [
        (
            "mark_separate",
            "moderator",
            "UNHCR: excludes Loikaw Town",
            {
                "figure": narrow.pk,
                "separate_from_figure": [None, wide.pk],
                "separate_from_report": [None, kayah_november.pk],
            },
        )
    ]


def test_unmarking_removes_the_mark_and_writes_a_second_history_row_on_each_report(
    moderator, kayah_november, loikaw_town
):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="UNHCR")
    versions = (kayah_november.version, loikaw_town.version)

    result = services.figures_unmark_separate(
        actor=moderator, first=narrow, second=wide, reason="Misread: it includes the town"
    )

    assert result is None
    assert SeparateFigures.objects.count() == 0
    assert [h[:3] for h in history(kayah_november)] == [
        ("mark_separate", "moderator", "UNHCR"),
        ("unmark_separate", "moderator", "Misread: it includes the town"),
    ]
    assert history(loikaw_town)[1][3] == {
        "figure": narrow.pk,
        "separate_from_figure": [wide.pk, None],
        "separate_from_report": [kayah_november.pk, None],
    }
    assert len(history(loikaw_town)) == 2
    # A mark is not an edit of either report: their versions stay.
    kayah_november.refresh_from_db()
    loikaw_town.refresh_from_db()
    assert (kayah_november.version, loikaw_town.version) == versions


def test_marking_and_unmarking_bring_both_reports_counts_up_to_date(
    followed, moderator, kayah_november, loikaw_town
):
    followed.clear()
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)

    services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="UNHCR")
    services.figures_unmark_separate(actor=moderator, first=wide, second=narrow, reason="No")

    assert followed == [kayah_november.pk, loikaw_town.pk] * 2


# --- refusals change nothing ----------------------------------------------------------------


def test_a_figure_cannot_be_separate_from_itself(moderator, kayah_november, loikaw_town):
    wide = figure_of(kayah_november)
    before = unchanged(kayah_november, loikaw_town)
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(actor=moderator, first=wide, second=wide.pk, reason="x")
    assert refused.value.message_dict == {
        "second": ["A figure cannot count separately from itself: choose another figure."]
    }
    assert unchanged(kayah_november, loikaw_town) == before


def test_figures_of_different_metrics_are_refused(moderator, approved, places, kayah_november):
    killed = approved(
        title="Shelling in Loikaw",
        figures=[dict(metric="killed", value=3)],
    )
    before = unchanged(kayah_november, killed)
    wide, deaths = figure_of(kayah_november), figure_of(killed)
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(actor=moderator, first=wide, second=deaths, reason="x")
    assert refused.value.message_dict == {
        "second": [
            f"Figure #{wide.pk} counts people newly displaced and figure #{deaths.pk} civilians "
            "killed: only figures of one metric can cover each other."
        ]
    }
    assert unchanged(kayah_november, killed) == before


def test_a_pair_already_marked_is_refused(moderator, second_moderator, kayah_november, loikaw_town):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="UNHCR")
    before = unchanged(kayah_november, loikaw_town)
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(
            actor=second_moderator, first=narrow, second=wide, reason="Again"
        )
    assert refused.value.message_dict == {
        "second": [f"Figures #{wide.pk} and #{narrow.pk} are already marked as separate."]
    }
    assert unchanged(kayah_november, loikaw_town) == before


def test_unmarking_a_pair_not_marked_is_refused(moderator, kayah_november, loikaw_town):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    before = unchanged(kayah_november, loikaw_town)
    with pytest.raises(ValidationError) as refused:
        services.figures_unmark_separate(actor=moderator, first=wide, second=narrow, reason="x")
    assert refused.value.message_dict == {
        "second": [f"Figures #{wide.pk} and #{narrow.pk} are not marked as separate."]
    }
    assert unchanged(kayah_november, loikaw_town) == before


@pytest.mark.parametrize("service", ["figures_mark_separate", "figures_unmark_separate"])
@pytest.mark.parametrize("reason", ["", "   \n ", None])
def test_a_reason_is_required(moderator, kayah_november, loikaw_town, service, reason):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    if service == "figures_unmark_separate":
        services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="UNHCR")
    before = unchanged(kayah_november, loikaw_town)
    with pytest.raises(ValidationError) as refused:
        getattr(services, service)(actor=moderator, first=wide, second=narrow, reason=reason)
    assert refused.value.message_dict == {
        "reason": ["A reason is required: say what the source says."]
    }
    assert unchanged(kayah_november, loikaw_town) == before


def test_a_reason_longer_than_the_stored_limit_is_refused(moderator, kayah_november, loikaw_town):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="x" * 501)
    assert refused.value.message_dict == {"reason": ["At most 500 characters."]}
    assert SeparateFigures.objects.count() == 0


@pytest.mark.parametrize("who", ["field_partner", "advocate"])
def test_only_a_moderator_may_mark_or_unmark(request, moderator, kayah_november, loikaw_town, who):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    actor = request.getfixturevalue(who)
    before = unchanged(kayah_november, loikaw_town)
    with pytest.raises(NotPermitted):
        services.figures_mark_separate(actor=actor, first=wide, second=narrow, reason="UNHCR")
    assert unchanged(kayah_november, loikaw_town) == before

    services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="UNHCR")
    before = unchanged(kayah_november, loikaw_town)
    with pytest.raises(NotPermitted):
        services.figures_unmark_separate(actor=actor, first=wide, second=narrow, reason="No")
    assert unchanged(kayah_november, loikaw_town) == before


def test_a_figure_of_a_report_not_approved_is_refused(
    moderator, field_partner, file_report, kayah_november
):
    submitted = file_report(field_partner)
    services.report_submit(report=submitted, actor=field_partner)
    wide, narrow = figure_of(kayah_november), figure_of(submitted)
    before = unchanged(kayah_november, submitted)
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(actor=moderator, first=narrow, second=wide, reason="UNHCR")
    assert refused.value.message_dict == {
        "first": [
            f"Report #{submitted.pk} is submitted: only figures of approved reports are counted."
        ]
    }
    assert unchanged(kayah_november, submitted) == before


def test_a_figure_that_does_not_exist_is_refused(moderator, kayah_november):
    wide = figure_of(kayah_november)
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(actor=moderator, first=wide, second=999999, reason="x")
    assert refused.value.message_dict == {"second": ["There is no figure #999999."]}
    assert (SeparateFigures.objects.count(), len(history(kayah_november))) == (0, 0)


def test_figures_of_one_event_are_refused(moderator, kayah_november, loikaw_town):
    event = services.event_create_linking(
        actor=moderator,
        name="Loikaw offensive",
        reports=[(kayah_november, None), (loikaw_town, None)],
    )
    assert event.reports.count() == 2
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    before = unchanged(kayah_november, loikaw_town)
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(actor=moderator, first=wide, second=narrow, reason="x")
    assert refused.value.message_dict == {
        "second": [
            "Both figures are accounts of one event, which counts once: choose the figure it "
            "counts instead."
        ]
    }
    assert unchanged(kayah_november, loikaw_town) == before


def test_figures_neither_of_which_covers_the_other_are_refused(moderator, approved, places):
    # The same place and the same dates: two events, added already (rule 5).
    first = approved(title="Loikaw Town, UN")
    second = approved(title="Loikaw Town, local media")
    # Demoso in November does not contain Loikaw Town.
    demoso = approved(title="Demoso", place=places["demoso"], **NOVEMBER)
    for a, b in ((first, second), (demoso, first)):
        fa, fb = figure_of(a), figure_of(b)
        with pytest.raises(ValidationError) as refused:
            services.figures_mark_separate(actor=moderator, first=fa, second=fb, reason="x")
        low, high = sorted((fa.pk, fb.pk))
        assert refused.value.message_dict == {
            "second": [
                f"Neither figure #{low} nor figure #{high} covers the other in place and dates: "
                "they are counted separately already."
            ]
        }
    assert SeparateFigures.objects.count() == 0


def test_stocks_are_refused(moderator, approved, places):
    state = approved(
        title="Kayah IDPs",
        place=places["kayah"],
        figures=[dict(metric="currently_displaced", value=90000)],
        **NOVEMBER,
    )
    town = approved(title="Town IDPs", figures=[dict(metric="currently_displaced", value=9000)])
    with pytest.raises(ValidationError) as refused:
        services.figures_mark_separate(
            actor=moderator, first=figure_of(state), second=figure_of(town), reason="x"
        )
    assert refused.value.message_dict == {
        "second": [
            "People currently displaced is a stock: stocks are never added (the latest figure "
            "for each place stands), so there is nothing to mark."
        ]
    }
    assert SeparateFigures.objects.count() == 0


# --- the figures a moderator is offered -----------------------------------------------------


def candidates(figure):
    return [
        (c.figure.report.title, c.relation, c.marked) for c in selectors.covering_candidates(figure)
    ]


def test_a_wide_figure_is_offered_the_figures_it_covers_and_a_narrow_one_those_covering_it(
    moderator, approved, places, field_partner, file_report, kayah_november, loikaw_town
):
    # Loikaw Township, all of 2023 (precise to the year): it covers the town's figures, not
    # the state's (a township does not contain its state).
    township_year = approved(
        title="Loikaw Township 2023",
        place=places["loikaw"],
        start_date=date(2023, 6, 1),
        end_date=None,
        date_precision="year",
        figures=[dict(metric="newly_displaced", value=80000)],
    )
    approved(title="Same town, same days")  # identical place and span: neither covers
    approved(title="Demoso", place=places["demoso"], **NOVEMBER)  # not within the township
    approved(title="Killed", figures=[dict(metric="killed", value=3)])  # another metric
    approved(title="October", start_date=date(2023, 10, 5), end_date=None)
    waiting = file_report(field_partner, title="Not approved")
    services.report_submit(report=waiting, actor=field_partner)

    assert candidates(figure_of(loikaw_town)) == [
        ("Loikaw Township 2023", "covered_by", False),
        ("Kayah displacement in November", "covered_by", False),
    ]
    # Demoso is within Kayah: the same month, a smaller place. Widest spans first.
    assert candidates(figure_of(kayah_november)) == [
        ("Demoso", "covers", False),
        ("Residents flee Loikaw", "covers", False),
        ("Same town, same days", "covers", False),
    ]
    assert candidates(figure_of(township_year)) == [
        ("Residents flee Loikaw", "covers", False),
        ("Same town, same days", "covers", False),
        ("October", "covers", False),
    ]


def test_candidates_show_their_mark_and_marks_no_longer_covering_are_listed(
    moderator, kayah_november, loikaw_town
):
    wide, narrow = figure_of(kayah_november), figure_of(loikaw_town)
    mark = services.figures_mark_separate(
        actor=moderator, first=wide, second=narrow, reason="UNHCR"
    )
    offered = selectors.covering_candidates(wide)
    assert [(c.figure.pk, c.relation, c.separate) for c in offered] == [(narrow.pk, "covers", mark)]
    assert offered[0].span == Span(date(2023, 11, 11), date(2023, 11, 13))

    # The town's report now says December: no longer inside November, but the mark stays.
    services.report_update(
        report=loikaw_town,
        actor=moderator,
        start_date=date(2023, 12, 2),
        end_date=date(2023, 12, 3),
    )
    assert [(c.figure.pk, c.relation, c.marked) for c in selectors.covering_candidates(wide)] == [
        (narrow.pk, "", True)
    ]


def test_candidates_leave_out_the_figures_own_event(moderator, kayah_november, loikaw_town):
    services.event_create_linking(
        actor=moderator, name="Loikaw offensive", reports=[(kayah_november, None)]
    )
    services.report_link_event(report=loikaw_town, event=kayah_november.event, actor=moderator)
    assert candidates(figure_of(kayah_november)) == []


def test_covers_needs_place_and_span_and_something_larger():
    november = Span(date(2023, 11, 1), date(2023, 11, 30))
    days = Span(date(2023, 11, 11), date(2023, 11, 13))
    state, town = "/MMR/MMR002/", "/MMR/MMR002/MMR002D001/MMR002001/MMR002001701/"
    assert selectors.covers(state, november, town, days)
    assert selectors.covers(state, november, state, days)
    assert selectors.covers(state, days, town, days)
    assert not selectors.covers(state, days, state, days)
    assert not selectors.covers(town, november, state, days)
    assert not selectors.covers(state, days, town, november)
