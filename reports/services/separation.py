"""A moderator's "these two figures count separately" (counting rule 5): when a source says one
figure excludes the other, neither covers the other and both are added. Marking and unmarking
write a history row on both reports and bring the counts up to date in the same transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from .. import aggregates
from ..busy import retried_when_busy
from ..models import Figure, Report, SeparateFigures
from ..selectors.covering import covers, figure_place_and_span
from ..types import Actor
from ..vocabulary import MEASURE, Measure, Metric
from ..workflow import Action, Status
from ._shared import _record, _require_moderator

# The model's own limit (SeparateFigures.reason).
MAX_REASON = 500

FigureRef = Figure | int


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": gettext("A reason is required: say what the source says.")}
        )
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": gettext("At most %(limit)s characters.") % {"limit": MAX_REASON}}
        )
    return reason


def _pk(figure: FigureRef, field: str) -> int:
    pk = figure.pk if isinstance(figure, Figure) else figure
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise ValidationError({field: gettext("Choose a figure.")})
    return pk


def _locked_pair(first: FigureRef, second: FigureRef) -> tuple[Figure, Figure]:
    """Both figures, read again after locking their reports (in id order, the services' lock
    order), lower id first, checked for everything a mark needs except whether it exists."""
    first_pk, second_pk = _pk(first, "first"), _pk(second, "second")
    if first_pk == second_pk:
        raise ValidationError(
            {
                "second": gettext(
                    "A figure cannot count separately from itself: choose another figure."
                )
            }
        )
    reports = Figure.objects.filter(pk__in=[first_pk, second_pk]).values("report_id")
    list(
        Report.objects.select_for_update()
        .filter(pk__in=reports)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    found = Figure.objects.select_related("report__place").in_bulk([first_pk, second_pk])
    for pk, field in ((first_pk, "first"), (second_pk, "second")):
        if pk not in found:
            raise ValidationError({field: gettext("There is no figure #%(pk)s.") % {"pk": pk}})
    a, b = sorted((found[first_pk], found[second_pk]), key=lambda f: f.pk)
    if a.metric != b.metric:
        raise ValidationError(
            {
                "second": gettext(
                    "Figure #%(a)s counts %(metric_a)s and figure #%(b)s %(metric_b)s: only "
                    "figures of one metric can cover each other."
                )
                % {
                    "a": a.pk,
                    "b": b.pk,
                    "metric_a": Metric(a.metric).label.lower(),
                    "metric_b": Metric(b.metric).label.lower(),
                }
            }
        )
    for figure in (a, b):
        field = "first" if figure.pk == first_pk else "second"
        if figure.report.status != Status.APPROVED:
            raise ValidationError(
                {
                    field: gettext(
                        "Report #%(report)s is %(status)s: only figures of approved reports "
                        "are counted."
                    )
                    % {
                        "report": figure.report_id,
                        "status": figure.report.get_status_display().lower(),
                    }
                }
            )
    return a, b


def _check_countable_apart(a: Figure, b: Figure) -> None:
    """A mark that could change nothing is refused: stocks are never added (rule 4), figures
    of one event are alternative accounts of one number (rule 2), and figures neither of which
    covers the other are added already (rule 5)."""
    if MEASURE[Metric(a.metric)] == Measure.STOCK:
        raise ValidationError(
            {
                "second": gettext(
                    "%(metric)s is a stock: stocks are never added (the latest figure for each "
                    "place stands), so there is nothing to mark."
                )
                % {"metric": Metric(a.metric).label}
            }
        )
    same_event = a.report_id == b.report_id or (
        a.report.event_id is not None and a.report.event_id == b.report.event_id
    )
    if same_event:
        raise ValidationError(
            {
                "second": gettext(
                    "Both figures are accounts of one event, which counts once: choose the "
                    "figure it counts instead."
                )
            }
        )
    place_a, span_a = figure_place_and_span(a)
    place_b, span_b = figure_place_and_span(b)
    if not (covers(place_a, span_a, place_b, span_b) or covers(place_b, span_b, place_a, span_a)):
        raise ValidationError(
            {
                "second": gettext(
                    "Neither figure #%(a)s nor figure #%(b)s covers the other in place and "
                    "dates: they are counted separately already."
                )
                % {"a": a.pk, "b": b.pk}
            }
        )


def _record_both(*, a: Figure, b: Figure, actor: Actor, action: str, reason: str) -> None:
    marked = action == Action.MARK_SEPARATE
    for figure, other in ((a, b), (b, a)):
        _record(
            report=figure.report,
            actor=actor,
            action=action,
            note=reason,
            changes={
                # This report's figure (not a before/after pair: the history page skips it).
                "figure": figure.pk,
                "separate_from_figure": [None, other.pk] if marked else [other.pk, None],
                "separate_from_report": (
                    [None, other.report_id] if marked else [other.report_id, None]
                ),
            },
        )


def _follow(a: Figure, b: Figure) -> None:
    """The engine's hook: each report's event is counted again, covering included. The public
    records show no marks, so they have nothing to follow."""
    aggregates.follow_report(a.report)
    aggregates.follow_report(b.report)


@retried_when_busy
def figures_mark_separate(
    *, actor: Actor, first: FigureRef, second: FigureRef, reason: str
) -> SeparateFigures:
    """Mark two figures of one metric, in different events, one covering the other, as
    counted separately (a source says one excludes the other). Stored once, lower id first."""
    _require_moderator(actor)
    reason = _reason(reason)
    with transaction.atomic():
        a, b = _locked_pair(first, second)
        if SeparateFigures.objects.filter(first=a, second=b).exists():
            raise ValidationError(
                {
                    "second": gettext("Figures #%(a)s and #%(b)s are already marked as separate.")
                    % {"a": a.pk, "b": b.pk}
                }
            )
        _check_countable_apart(a, b)
        mark = SeparateFigures.objects.create(
            first=a, second=b, metric=a.metric, reason=reason, marked_by=actor
        )
        _record_both(a=a, b=b, actor=actor, action=Action.MARK_SEPARATE, reason=reason)
        _follow(a, b)
    return mark


@retried_when_busy
def figures_unmark_separate(
    *, actor: Actor, first: FigureRef, second: FigureRef, reason: str
) -> None:
    """Withdraw a mark: the two figures are counted by rule 5 again (the covering one is not
    added to what it covers)."""
    _require_moderator(actor)
    reason = _reason(reason)
    with transaction.atomic():
        a, b = _locked_pair(first, second)
        deleted, _ = SeparateFigures.objects.filter(first=a, second=b).delete()
        if not deleted:
            raise ValidationError(
                {
                    "second": gettext("Figures #%(a)s and #%(b)s are not marked as separate.")
                    % {"a": a.pk, "b": b.pk}
                }
            )
        _record_both(a=a, b=b, actor=actor, action=Action.UNMARK_SEPARATE, reason=reason)
        _follow(a, b)
