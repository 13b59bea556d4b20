"""Reports in the Django admin: the report form with its figures and history, and the
moderation actions. Every save goes through reports.services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect

from reports import services
from reports.exceptions import ActionRefused
from reports.figures import clean_figure
from reports.forms.report import WholeNumberField
from reports.models import Event, Figure, Report, ReportHistory, SeparateFigures


class FigureForm(forms.ModelForm):
    """Figure rows in the admin, validated by the same rules as every other way in (the
    admin supplies the model and fields); the counts are typed as the other forms take them
    ("35,000"; "35.000" is refused, not read as 35)."""

    value = WholeNumberField(required=False)
    value_min = WholeNumberField(label="Minimum", required=False)
    value_max = WholeNumberField(label="Maximum", required=False)
    women = WholeNumberField(required=False)
    men = WholeNumberField(required=False)
    girls = WholeNumberField(required=False)
    boys = WholeNumberField(required=False)

    def clean(self):
        data = super().clean()
        try:
            data.update(clean_figure(data))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


class FigureInline(admin.TabularInline):
    model = Figure
    form = FigureForm
    extra = 0
    fields = services.FIGURE_FIELDS
    autocomplete_fields = ("destination",)  # a gazetteer is thousands of places


class HistoryInline(admin.TabularInline):
    model = ReportHistory
    extra = 0
    can_delete = False
    fields = ("created_at", "actor", "action", "from_status", "to_status", "note", "changes")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ModerationActionForm(ActionForm):
    note = forms.CharField(
        required=False,
        label="Reason or message",
        widget=forms.TextInput(attrs={"size": 50}),
        help_text="Required to reject, request changes or retract.",
    )
    event = forms.ModelChoiceField(
        Event.objects.all(),
        required=False,
        label="Event",
        help_text="For linking: leave empty to unlink.",
    )


@admin.action(description="Link selected reports to the chosen event (or unlink)")
def link_to_event(modeladmin, request, queryset):
    # Only this action's field is checked: the form's "action" choices are filled elsewhere.
    try:
        event = ModerationActionForm.base_fields["event"].clean(request.POST.get("event"))
    except ValidationError:
        modeladmin.message_user(request, "Choose an existing event.", messages.ERROR)
        return
    done = 0
    for report in queryset.order_by("pk"):
        # Each report is linked in its own transaction: one refused (e.g. the database busy
        # with others' changes, reports.busy) leaves the others as they are, and says so.
        try:
            services.report_link_event(report=report, event=event, actor=request.user)
        except ActionRefused as exc:
            modeladmin.message_user(request, f"#{report.pk}: {exc.message}", messages.ERROR)
        else:
            done += 1
    where = f"event #{event.pk}" if event else "no event"
    if done:
        modeladmin.message_user(request, f"{done} report(s) now in {where}.")


def _moderation_action(service, label, note_kwarg=None):
    def action(modeladmin, request, queryset):
        note = request.POST.get("note", "")
        done = 0
        for report in queryset.order_by("pk"):
            kwargs = {note_kwarg: note} if note_kwarg else {"note": note}
            try:
                service(report=report, actor=request.user, **kwargs)
            except (ActionRefused, ValidationError) as exc:
                text = exc.message if isinstance(exc, ActionRefused) else "; ".join(exc.messages)
                modeladmin.message_user(request, f"#{report.pk}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            modeladmin.message_user(request, f"{label}: {done} report(s).", messages.SUCCESS)

    action.short_description = f"{label} selected reports"
    action.__name__ = f"action_{service.__name__}"
    return action


class ReportForm(forms.ModelForm):
    """The report form in the admin, with the services' validation of dates and place, and
    the version it was loaded at, so a stale form cannot overwrite someone else's change."""

    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            # Django's changeform_view runs a POST in a transaction: the lock holds to the save.
            current = Report.objects.select_for_update().get(pk=self.instance.pk).version
            if data.get("loaded_version") != current:
                raise ValidationError(
                    f"Someone else changed this report while you were editing it (it is now "
                    f"at version {current}). Reload the page to see their change, then edit again."
                )
        if self.errors:
            return data
        fields = {f: data.get(f) for f in services.REPORT_FIELDS if f in self.fields}
        try:
            data.update(services.clean_report_fields(fields))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    form = ReportForm
    list_display = ("id", "title", "status", "place", "start_date", "organization", "event")
    list_filter = ("status", "cause", "place__admin_level", "organization", "date_precision")
    search_fields = (
        "title",
        "public_summary",
        "place__name_en",
        "place__name_local",
        "place__pcode",
    )
    date_hierarchy = "start_date"
    list_select_related = ("place", "organization", "event")
    autocomplete_fields = ("place", "sources", "perpetrator_sources")
    readonly_fields = (
        "status",
        "version",
        "event",
        "submitted_by",
        "created_at",
        "updated_at",
        "submitted_at",
        "approved_at",
    )
    inlines = (FigureInline, HistoryInline)
    action_form = ModerationActionForm
    actions = (
        _moderation_action(services.report_approve, "Approve"),
        _moderation_action(services.report_reject, "Reject", "reason"),
        _moderation_action(services.report_request_changes, "Request changes on", "message"),
        _moderation_action(services.report_retract, "Retract", "reason"),
        link_to_event,
    )
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "status",
                    "version",
                    "loaded_version",
                    "organization",
                    "submitted_by",
                    "event",
                )
            },
        ),
        ("When", {"fields": ("start_date", "end_date", "date_precision")}),
        (
            "Where",
            {"fields": ("place", "latitude", "longitude", "location_precision", "point_released")},
        ),
        ("What", {"fields": ("cause", "tags", "public_summary", "internal_notes", "sources")}),
        (
            "Alleged perpetrator",
            {"fields": ("perpetrator", "perpetrator_unknown", "perpetrator_sources")},
        ),
        (
            "Timestamps",
            {
                "fields": ("created_at", "updated_at", "submitted_at", "approved_at"),
                "classes": ("collapse",),
            },
        ),
    )

    def has_delete_permission(self, request, obj=None):
        # Reports are retracted, never deleted: the history must stay whole.
        return False

    def get_readonly_fields(self, request, obj=None):
        # No service moves a report to another organisation: it is chosen when it is filed.
        return (*self.readonly_fields, "organization") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Nothing is saved here: save_related saves the report with its figures, sources and
        # tags through the services (which check, clean and write the history), once the
        # figures' rows are known.
        pass

    def save_related(self, request, form, formsets, change):
        figures = next(formset for formset in formsets if formset.model is Figure)
        try:
            with transaction.atomic():
                if change:
                    self._update(request, form, figures)
                else:
                    self._create(request, form, figures)
        except (ActionRefused, ValidationError) as exc:
            # Refused by the services after the form was valid: nothing of this save is kept,
            # the admin logs nothing, and the form opens again with the reason.
            text = exc.message if isinstance(exc, ActionRefused) else "; ".join(exc.messages)
            self.message_user(request, text, messages.ERROR)
            request._report_refused = True

    def _create(self, request, form, figures):
        data = form.cleaned_data
        report = services.report_create(
            actor=request.user,
            organization=data["organization"],
            figures=figure_rows(figures),
            sources=data["sources"],
            tags=data["tags"],
            **_attribution(data),
            **{field: data[field] for field in services.REPORT_FIELDS},
        )
        if data.get("point_released"):
            services.report_update(
                report=report,
                actor=request.user,
                point_released=True,
                note="Released in the admin",
            )
        form.instance.pk = report.pk
        form.instance._state.adding = False
        form.instance.refresh_from_db()

    def _update(self, request, form, figures):
        data = form.cleaned_data
        fields = {field: data[field] for field in services.REPORT_FIELDS}
        if "point_released" in form.changed_data:
            # Otherwise the service decides: a moved point is no longer released.
            fields["point_released"] = data["point_released"]
        services.report_update(
            report=form.instance,
            actor=request.user,
            figures=figure_rows(figures) if figures.has_changed() else None,
            sources=data["sources"],
            tags=data["tags"],
            note="Edited in the admin",
            **_attribution(data),
            **fields,
        )

    def construct_change_message(self, request, form, formsets, add=False):
        # The figures were saved by the service, not by their formset: the history has them.
        return super().construct_change_message(request, form, [], add)

    def log_addition(self, request, obj, message):
        if not getattr(request, "_report_refused", False):
            return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not getattr(request, "_report_refused", False):
            return super().log_change(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "_report_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_report_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


def figure_rows(formset) -> list[dict]:
    """The figures the inline rows leave, each kept one with its id (a deleted row's figure is
    deleted, not overwritten by the next one), then the new ones."""
    kept, new = [], []
    for form in formset.forms:
        if form in formset.deleted_forms:
            continue
        if form.instance.pk:
            kept.append(form)
        elif form.has_changed():
            new.append(form)
    kept.sort(key=lambda form: form.instance.pk)
    return [
        {field: form.cleaned_data.get(field) for field in services.FIGURE_FIELDS}
        | ({"id": form.instance.pk} if form.instance.pk else {})
        for form in kept + new
    ]


@admin.register(SeparateFigures)
class SeparateFiguresAdmin(admin.ModelAdmin):
    """Pairs of figures a moderator marked as counted separately (counting rule 5), read-only:
    a mark is made or withdrawn on the report's review page, through the service, which
    writes both reports' history and brings the totals up to date."""

    list_display = ("id", "first", "second", "metric", "marked_by", "marked_at", "reason")
    list_filter = ("metric",)
    search_fields = ("reason", "first__report__title", "second__report__title")
    list_select_related = ("first", "second", "marked_by")
    fields = ("first", "second", "metric", "reason", "marked_by", "marked_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _attribution(data) -> dict:
    """The admin's three fields as the services take the alleged perpetrator."""
    if data.get("perpetrator") is not None and data.get("perpetrator_unknown"):
        raise ValidationError(
            {"perpetrator": "Choose the party, or tick “unknown”: the perpetrator is not both."}
        )
    perpetrator = data.get("perpetrator") or ("unknown" if data.get("perpetrator_unknown") else "")
    return {
        "perpetrator": perpetrator,
        "perpetrator_sources": list(data.get("perpetrator_sources") or []),
    }
