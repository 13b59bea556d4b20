"""The moderators' pages: the queue, the review page of one report, and one POST per action,
each calling one service. Who may open them is decided once, in `moderator_required`."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from gazetteer.models import AdminLevel
from gazetteer.selectors import kind_paths
from reports import permissions, selectors, services
from reports.burmese import find_zawgyi, zawgyi_labels
from reports.exceptions import ActionRefused, ConcurrentModification, NotPermitted
from reports.forms.moderation import (
    ApproveForm,
    BulkDecisionForm,
    LinkEventForm,
    NewEventForm,
    ReferenceFigureForm,
    RejectForm,
    ReleasePointForm,
    RequestChangesForm,
    RetractForm,
    SeparateFiguresForm,
    UnlinkEventForm,
)
from reports.forms.queue import ModerationQueueFilter
from reports.models import Report
from reports.selectors.moderation import COUNT_LIMIT
from reports.templatetags.figure_text import figure_label
from reports.views.dashboard_shaping import at_precision, days
from reports.vocabulary import MEASURE, Measure, Metric
from reports.workflow import TRANSITIONS, Action, Status

logger = logging.getLogger(__name__)

QUEUE_PAGE_SIZE = 25


def moderator_required(view):
    """Moderators only: anyone else logged in gets 403, anonymous visitors the login page.
    Every visit is logged with who made it: the moderation area shows what the public may not
    see, and each look at it must be attributable to a person."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not permissions.is_moderator(request.user):
            raise PermissionDenied("Only moderators can open the moderation pages.")
        logger.info(
            "moderation %s %s by %s", request.method, request.path, request.user.get_username()
        )
        return view(request, *args, **kwargs)

    return wrapped


# --- the queue ------------------------------------------------------------------------------


@moderator_required
def queue(request):
    """Reports awaiting review (or any status), searched and filtered by GET parameters, with
    a bulk approve or reject of the ticked rows (POST to the same address, then back to it)."""
    reports = selectors.moderation_reports()
    filterset = ModerationQueueFilter(request.GET, queryset=reports)
    bulk_form = BulkDecisionForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if bulk_form.is_valid():
            try:
                outcomes = services.reports_decide(
                    actor=request.user,
                    decision=bulk_form.cleaned_data["decision"],
                    items=bulk_form.cleaned_data["selected"],
                    note=bulk_form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _add_errors(bulk_form, exc)
            else:
                for outcome in outcomes:
                    notify = messages.success if outcome.done else messages.error
                    notify(request, outcome.message)
                return redirect(request.get_full_path())
        status = 400

    page, counts, rows, matches = None, None, [], 0
    if filterset.is_valid():
        every_status = request.GET.copy()
        every_status["status"] = ""
        counts = selectors.status_counts(
            ModerationQueueFilter(every_status, queryset=reports, drafts_under_any_status=True).qs,
            limit=COUNT_LIMIT,
            searched=bool(selectors.search_words(filterset.form.cleaned_data.get("q", ""))),
        )
        # The per-status counts already hold the number of matches: the search is not run a
        # third time to count them again. Beyond COUNT_LIMIT a count says "more
        # than", and the pages stop there (narrow the search to reach the others).
        paginator = Paginator(filterset.qs, QUEUE_PAGE_SIZE)
        asked = filterset.form.cleaned_data.get("status")
        matches = counts[asked] if asked else sum(n for s, n in counts.items() if s != Status.DRAFT)
        paginator.count = min(matches, COUNT_LIMIT)
        page = paginator.get_page(request.GET.get("page"))
        paths = kind_paths({report.place for report in page})
        ticked = set(request.POST.getlist("selected"))
        rows = [
            {
                "report": report,
                "place_path": paths[report.place_id],
                "token": f"{report.pk}:{report.version}",
                "ticked": f"{report.pk}:{report.version}" in ticked,
            }
            for report in page
        ]
    else:
        status = 400
    # Drafts last, apart from "Any status", which leaves them out.
    tabs = [s for s in Status.choices if s[0] != Status.DRAFT] + [
        (Status.DRAFT.value, Status.DRAFT.label)
    ]
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "status_counts": [
            (value, label, _count_text(counts[value])) for value, label in tabs if counts
        ],
        "total_any_status": (
            _count_text(sum(n for s, n in counts.items() if s != Status.DRAFT)) if counts else 0
        ),
        "more_than": counts is not None and matches > COUNT_LIMIT,
        "count_limit": COUNT_LIMIT,
        "place_choices": filterset.form.place_choices,
        # The filters stay folded away unless one is in use (or wrong): the search box is the
        # first thing to reach for.
        "filters_open": bool(filterset.form.errors)
        or any(value for key, value in request.GET.items() if key not in ("q", "page")),
        "current_status": filterset.form.data.get("status", ""),
        "place_options": _place_options(),
        "bulk_form": bulk_form,
    }
    return render(request, "reports/moderation/queue.html", context, status=status)


def _place_options() -> list[dict]:
    """The place filter's suggestions, shaped once: each level's name translated once, not once
    a place (hundreds of get_admin_level_display() calls cost more than the queries)."""
    levels = {level.value: str(level.label) for level in AdminLevel}
    return [
        {"pcode": p.pcode, "name": p.display_name, "level": levels.get(p.admin_level, "")}
        for p in selectors.places_with_reports()
    ]


def _count_text(count: int) -> str | int:
    """A status tab's count: the number, or "over 10000" past what the queue counts."""
    if count > COUNT_LIMIT:
        return gettext("over %(count)s") % {"count": COUNT_LIMIT}
    return count


# --- the review page and its actions --------------------------------------------------------


@dataclass(frozen=True)
class ModerationAction:
    form: type
    button: Promise  # its label, in the reader's language
    # Calls one service; returns the message shown once it is done.
    run: Callable
    # Whether the action is offered for the report in its current state.
    offered: Callable[[Report], bool]


def _in_workflow(action):
    return lambda report: report.status in TRANSITIONS[action]


def _approve(actor, report, data):
    services.report_approve(
        report=report, actor=actor, note=data["note"], expected_version=data["version"]
    )
    return gettext("Report #%(id)s approved.") % {"id": report.pk}


def _reject(actor, report, data):
    services.report_reject(
        report=report, actor=actor, reason=data["note"], expected_version=data["version"]
    )
    return gettext("Report #%(id)s rejected; the partner has been told why.") % {"id": report.pk}


def _request_changes(actor, report, data):
    services.report_request_changes(
        report=report, actor=actor, message=data["note"], expected_version=data["version"]
    )
    return gettext(
        "Changes requested on report #%(id)s; the partner has been sent your message."
    ) % {"id": report.pk}


def _retract(actor, report, data):
    services.report_retract(
        report=report, actor=actor, reason=data["note"], expected_version=data["version"]
    )
    return gettext(
        "Report #%(id)s retracted: it no longer appears on public pages or in totals."
    ) % {"id": report.pk}


def _release_point(actor, report, data):
    services.report_update(
        report=report, actor=actor, expected_version=data["version"], point_released=True
    )
    return gettext("The exact point of report #%(id)s may now be shown publicly.") % {
        "id": report.pk
    }


def _link(actor, report, data):
    event = data["event"]
    services.report_link_event(
        report=report, event=event, actor=actor, expected_version=data["version"]
    )
    return gettext("Report #%(id)s linked to event #%(event)s, %(name)s.") % {
        "id": report.pk,
        "event": event.pk,
        "name": event.name,
    }


def _unlink(actor, report, data):
    services.report_link_event(
        report=report, event=None, actor=actor, expected_version=data["version"]
    )
    return _no_event(report)


def _new_event(actor, report, data):
    linked = [(report, data["version"])] + ([data["also"]] if data["also"] else [])
    event = services.event_create_linking(
        actor=actor, name=data["name"], description=data["description"], reports=linked
    )
    started = {"event": event.pk, "name": event.name, "id": report.pk}
    if data["also"]:
        return gettext(
            "Event #%(event)s, %(name)s, started with report #%(id)s and #%(other)s."
        ) % (started | {"other": data["also"][0].pk})
    return gettext("Event #%(event)s, %(name)s, started with report #%(id)s.") % started


def _reference(actor, report, data):
    figure = data["figure"]
    if report.event is None:
        raise ActionRefused(_no_event(report))
    services.event_set_reference_figure(
        event=report.event, figure=figure, actor=actor, expected_version=data["version"]
    )
    return gettext(
        "%(figure)s (report #%(report)s) is now what event #%(event)s counts for %(metric)s."
    ) % {
        "figure": figure_label(figure),
        "report": figure.report_id,
        "event": report.event_id,
        "metric": figure.get_metric_display().lower(),
    }


def _no_event(report) -> str:
    return gettext("Report #%(id)s is no longer linked to an event.") % {"id": report.pk}


ACTIONS = {
    "approve": ModerationAction(
        ApproveForm, gettext_lazy("Approve"), _approve, _in_workflow(Action.APPROVE)
    ),
    "request_changes": ModerationAction(
        RequestChangesForm,
        gettext_lazy("Request changes"),
        _request_changes,
        _in_workflow(Action.REQUEST_CHANGES),
    ),
    "reject": ModerationAction(
        RejectForm, gettext_lazy("Reject"), _reject, _in_workflow(Action.REJECT)
    ),
    "retract": ModerationAction(
        RetractForm, gettext_lazy("Retract"), _retract, _in_workflow(Action.RETRACT)
    ),
    "release_point": ModerationAction(
        ReleasePointForm,
        gettext_lazy("Release the exact point"),
        _release_point,
        lambda r: r.latitude is not None and not r.point_released,
    ),
    "link": ModerationAction(
        LinkEventForm, gettext_lazy("Link to this event"), _link, lambda r: True
    ),
    "unlink": ModerationAction(
        UnlinkEventForm,
        gettext_lazy("Unlink from the event"),
        _unlink,
        lambda r: r.event_id is not None,
    ),
    "new_event": ModerationAction(
        NewEventForm, gettext_lazy("Start the event"), _new_event, lambda r: True
    ),
    "reference": ModerationAction(
        ReferenceFigureForm,
        gettext_lazy("Count this one"),
        _reference,
        lambda r: r.event_id is not None,
    ),
}
DECISIONS = ("approve", "request_changes", "reject", "retract")


def _form(name, report, duplicates, data=None):
    kwargs = {"prefix": name}
    if name != "reference":
        kwargs["report"] = report
    if name == "new_event":
        kwargs["duplicates"] = duplicates
        kwargs["initial"] = {"name": report.title}
    return ACTIONS[name].form(data, **kwargs)


@moderator_required
def review(request, pk):
    report = get_object_or_404(selectors.moderation_reports(), pk=pk)
    return render(request, "reports/moderation/review.html", _review_context(report))


@moderator_required
@require_POST
def act(request, pk, action):
    """One moderation action on one report: POST, then back to the review page (with a
    message) when done, or the page again, showing the current state and why nothing was
    changed, with what was typed kept in the form."""
    if action not in ACTIONS:
        raise Http404("No such moderation action.")
    report = get_object_or_404(selectors.moderation_reports(), pk=pk)
    duplicates = selectors.likely_duplicates(report) if action == "new_event" else []
    form = _form(action, report, duplicates, data=request.POST)
    status = 400
    if form.is_valid():
        try:
            done = ACTIONS[action].run(request.user, report, form.cleaned_data)
        except NotPermitted as exc:
            form.add_error(None, exc.message)
            status = 403
        except ConcurrentModification as exc:
            if action == "reference":
                # Each figure's form is drawn afresh from the current state anyway.
                form.add_error(None, exc.message)
            else:
                form = _refreshed(action, report, request.POST, exc.message)
            status = 409
        except ActionRefused as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("moderation:review", pk=report.pk)
    report = get_object_or_404(selectors.moderation_reports(), pk=pk)
    context = _review_context(report, failed=(action, form))
    return render(request, "reports/moderation/review.html", context, status=status)


def _refreshed(action, report, posted, message):
    """The form as typed, but carrying the version the moderator now sees on the page (the
    current one), so that acting again after reading the change is a deliberate choice."""
    current = Report.objects.filter(pk=report.pk).values_list("version", flat=True).get()
    data = posted.copy()
    data[f"{action}-version"] = str(current)
    form = _form(action, report, [], data=data)
    form.is_valid()
    form.add_error(None, message)
    return form


def _add_errors(form, exc: ValidationError):
    """A service's ValidationError, keyed by its field names, shown next to the form's fields
    (the services call every moderator's text "note")."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _edit_url(report):
    try:
        return reverse("partner:report_edit", args=[report.pk])
    except NoReverseMatch:
        return reverse("admin:reports_report_change", args=[report.pk])


def _review_context(report, failed=None, separation=None):
    duplicates = selectors.likely_duplicates(report)
    forms = {name: _form(name, report, duplicates) for name in ACTIONS if name != "reference"}
    failed_name = failed[0] if failed else None
    if failed and failed_name != "reference":
        forms[failed_name] = failed[1]
    offered = {name: ACTIONS[name].offered(report) or name == failed_name for name in ACTIONS}
    failed_errors = (
        [str(e) for errors in failed[1].errors.values() for e in errors] if failed else []
    )
    reference_error = None
    if failed_name == "reference":
        reference_error = (failed[1].data.get("reference-figure"), " ".join(failed_errors))
    event_overview = selectors.event_overview(report.event) if report.event else []
    sources = list(report.sources.all())
    figures = list(report.figures.all())
    tags = sorted(t.name for t in report.tags.all())
    return {
        "report": report,
        "place_path": kind_paths([report.place])[report.place_id],
        "sources": sources,
        "figures": figures,
        "tags": tags,
        # Checked as the report is now, whoever stored it (Kobo, the API or the web form with
        # "store as typed"): fixing the text clears the warning.
        "zawgyi": zawgyi_labels(find_zawgyi(report, figures=figures, sources=sources, tags=tags)),
        "history": selectors.report_history(report),
        "duplicates": duplicates,
        # Each duplicate's dates as precise as they were given ("Feb 2023", not "1 Feb 2023").
        "duplicate_items": [
            {
                "report": d.report,
                "reasons": d.reasons,
                "when": at_precision(
                    d.report.start_date, d.report.end_date, d.report.date_precision
                ),
            }
            for d in duplicates
        ],
        "event_overview": event_overview,
        "forms": forms,
        "decisions": [
            (name, ACTIONS[name].button, forms[name]) for name in DECISIONS if offered[name]
        ],
        "offered": offered,
        "buttons": {name: action.button for name, action in ACTIONS.items()},
        "failed": failed_name,
        "failed_errors": failed_errors,
        "reference_error": reference_error,
        "edit_url": _edit_url(report),
    } | _counting_context(report, separation)


# --- counting with other figures (rule 5: figures that cover others) -----------------------


@dataclass(frozen=True)
class SeparationFailure:
    """A mark or unmark that was refused: which row of the page it came from (the figure and
    the other figure as posted), and the form with what was typed and why it was refused."""

    action: str
    figure: str
    other: str
    form: SeparateFiguresForm


SEPARATION = {
    "separate": services.figures_mark_separate,
    "unseparate": services.figures_unmark_separate,
}


def _separation_anchor(action, figure, other):
    return f"{action}-{figure}-{other}"


@moderator_required
@require_POST
def separate(request, pk):
    """Mark one of the report's figures and another as counted separately."""
    return _separation(request, pk, "separate")


@moderator_required
@require_POST
def unseparate(request, pk):
    """Withdraw the mark: the two figures are counted by rule 5 again."""
    return _separation(request, pk, "unseparate")


def _separation(request, pk, action):
    report = get_object_or_404(selectors.moderation_reports(), pk=pk)
    form = SeparateFiguresForm(request.POST, report=report)
    status = 400
    if form.is_valid():
        figure, other = form.cleaned_data["figure"], form.cleaned_data["other"]
        try:
            SEPARATION[action](
                actor=request.user, first=figure, second=other, reason=form.cleaned_data["reason"]
            )
        except NotPermitted as exc:
            form.add_error(None, exc.message)
            status = 403
        except ActionRefused as exc:
            form.add_error(None, exc.message)
            status = 409
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            done = (
                gettext("Figure #%(figure)s and figure #%(other)s now count separately.")
                if action == "separate"
                else gettext(
                    "Figure #%(figure)s and figure #%(other)s are no longer marked as separate."
                )
            )
            messages.success(request, done % {"figure": figure.pk, "other": other.pk})
            url = reverse("moderation:review", args=[report.pk])
            return redirect(f"{url}#counting-{figure.pk}")
    failure = SeparationFailure(
        action, request.POST.get("figure", ""), request.POST.get("other", ""), form
    )
    report = get_object_or_404(selectors.moderation_reports(), pk=pk)
    context = _review_context(report, separation=failure)
    return render(request, "reports/moderation/review.html", context, status=status)


def _counting_context(report, failure):
    """For each figure of an approved report, the figures it covers or is covered by in other
    events, each with the form that marks them separate (or unmarks them). A refused form is
    put back in its row with what was typed and why; its errors also head the page."""
    counting = []
    matched = False
    if report.status == Status.APPROVED:
        for figure in report.figures.all():
            rows = []
            for candidate in selectors.covering_candidates(figure):
                action = "unseparate" if candidate.marked else "separate"
                row = {
                    "candidate": candidate,
                    "action": action,
                    "anchor": _separation_anchor(action, figure.pk, candidate.figure.pk),
                    "errors": [],
                    "reason": "",
                    "span": days(candidate.span.start, candidate.span.end),
                }
                if failure and (failure.action, failure.figure, failure.other) == (
                    action,
                    str(figure.pk),
                    str(candidate.figure.pk),
                ):
                    matched = True
                    row["errors"] = _form_errors(failure.form)
                    row["reason"] = failure.form.data.get("reason", "")
                rows.append(row)
            counting.append(
                {
                    "figure": figure,
                    "rows": rows,
                    "stock": MEASURE[Metric(figure.metric)] == Measure.STOCK,
                }
            )
    context = {"counting": counting, "reason_max": services.MAX_REASON}
    if failure:
        context["failed"] = (
            _separation_anchor(failure.action, failure.figure, failure.other)
            if matched
            else "counting"
        )
        context["failed_errors"] = _form_errors(failure.form)
    return context


def _form_errors(form):
    return [str(e) for errors in form.errors.values() for e in errors]
