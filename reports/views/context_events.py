"""Context events (operations, offensives): the moderators' pages that keep them under
/moderation/context-events/, each write one service call, and the public page of one event
that the dashboard's timelines link to."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from gazetteer.models import AdminLevel, Place
from reports import selectors, services
from reports.forms.context_events import ContextEventForm
from reports.models import ContextEvent
from reports.views.moderation import _add_errors, moderator_required


def _place_options():
    return Place.objects.filter(admin_level__lte=AdminLevel.TOWNSHIP).only(
        "pcode", "name_en", "kind", "admin_level"
    )


@moderator_required
def context_event_list(request):
    events = ContextEvent.objects.select_related("area").prefetch_related("sources")
    return render(
        request,
        "reports/moderation/context_events.html",
        {"events": events.order_by("-start_date", "name")},
    )


def _save(request, event=None):
    form = ContextEventForm(
        request.POST if request.method == "POST" else None,
        initial=ContextEventForm.initial_of(event) if event else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                if event is None:
                    event = services.context_event_create(actor=request.user, **form.cleaned_data)
                    messages.success(request, gettext("Context event added."))
                else:
                    event = services.context_event_update(
                        actor=request.user, event=event, **form.cleaned_data
                    )
                    messages.success(request, gettext("Context event saved."))
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                return redirect("moderation:context_events")
        status = 400
    return render(
        request,
        "reports/moderation/context_event_form.html",
        {"form": form, "event": event, "place_options": _place_options()},
        status=status,
    )


@moderator_required
@require_http_methods(["GET", "POST"])
def context_event_create(request):
    return _save(request)


@moderator_required
@require_http_methods(["GET", "POST"])
def context_event_edit(request, pk):
    return _save(request, get_object_or_404(ContextEvent, pk=pk))


@moderator_required
@require_http_methods(["GET", "POST"])
def context_event_delete(request, pk):
    event = get_object_or_404(ContextEvent, pk=pk)
    if request.method == "POST":
        services.context_event_delete(actor=request.user, event=event)
        messages.success(request, gettext("Context event deleted."))
        return redirect("moderation:context_events")
    return render(request, "reports/moderation/context_event_delete.html", {"event": event})


def context_event_public(request, pk):
    """The public page of one context event: dates, area, description and its sources as the
    public may see them."""
    event = get_object_or_404(selectors.public_context_events(), pk=pk)
    return render(
        request,
        "reports/dashboard/context_event.html",
        {"event": event, "sources": selectors.public_sources_of(event)},
    )
