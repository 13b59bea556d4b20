"""The Django admin, usable by moderators: every edit goes through the services' history."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db import transaction

from . import aggregates, publication, services
from .exceptions import ActionRefused
from .figures import clean_figure
from .models import (
    Event,
    EventReferenceFigure,
    Figure,
    Membership,
    Organization,
    Report,
    ReportHistory,
    Source,
)


class FigureForm(forms.ModelForm):
    """Figure rows in the admin, validated by the same rules as every other way in (the
    admin supplies the model and fields)."""

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
    for report in queryset.order_by("pk"):
        services.report_link_event(report=report, event=event, actor=request.user)
    where = f"event #{event.pk}" if event else "no event"
    modeladmin.message_user(request, f"{queryset.count()} report(s) now in {where}.")


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
    autocomplete_fields = ("place", "sources")
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

    def save_model(self, request, obj, form, change):
        if change:
            request._report_before = services.report_snapshot(Report.objects.get(pk=obj.pk))
            moved = {"latitude", "longitude"} & set(form.changed_data)
            if moved and "point_released" not in form.changed_data:
                # As in services.report_update: a release covers the point the moderator saw;
                # a new point needs a new decision before the public sees it.
                obj.point_released = False
        else:
            obj.submitted_by = request.user
        obj.full_clean()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        report = form.instance
        if change:
            services.report_record_edit(
                report=report,
                actor=request.user,
                before=request._report_before,
                note="Edited in the admin",
            )
        else:
            ReportHistory.objects.create(
                report=report,
                actor=request.user,
                action="create",
                to_status=report.status,
                note="Created in the admin",
            )


class ReferenceInline(admin.TabularInline):
    """Read-only here: a reference is chosen through event_set_reference_figure, which keeps
    the history."""

    model = EventReferenceFigure
    extra = 0
    can_delete = False
    fields = ("metric", "figure", "chosen_by", "chosen_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventReportInline(admin.TabularInline):
    model = Report
    fk_name = "event"
    extra = 0
    fields = ("title", "status", "place", "start_date")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordsCreatorAdmin(admin.ModelAdmin):
    """Sets created_by to the person who added the row."""

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Event)
class EventAdmin(RecordsCreatorAdmin):
    list_display = ("id", "name", "created_at")
    search_fields = ("name", "description")
    readonly_fields = ("created_by", "created_at")
    inlines = (EventReportInline, ReferenceInline)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change:
            publication.lock_reports_citing(event=obj)
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Its approved reports show the event's name in their public records.
            publication.follow_event(obj)


class KeptWhileInUse:
    """No deleting a row that reports use (in_use), and no bulk delete, which would skip that
    check: such rows are deleted one at a time from their own page."""

    def in_use(self, obj) -> bool:
        raise NotImplementedError

    def has_delete_permission(self, request, obj=None):
        if obj is not None and self.in_use(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Source)
class SourceAdmin(KeptWhileInUse, RecordsCreatorAdmin):
    list_display = ("name", "title", "source_type", "published_on", "language", "is_confidential")
    list_filter = ("source_type", "is_confidential", "language")
    search_fields = ("name", "title", "url")
    date_hierarchy = "published_on"
    readonly_fields = ("created_by", "created_at")

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if change:
            publication.lock_reports_citing(obj)
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            # The approved reports citing it show it (or only its type, once confidential)
            # in their public records: rebuilt before this change is committed. First, as in
            # the services: report rows are locked before the engine's event locks.
            publication.follow_source(obj)
        if change and "published_on" in form.changed_data:
            # The publication date decides which report's figure an event counts.
            aggregates.follow_source(obj)

    def in_use(self, source) -> bool:
        # A cited source stays: every number must remain traceable to what it came from.
        return source.reports.exists()


@admin.register(ReportHistory)
class ReportHistoryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "report", "action", "actor", "from_status", "to_status")
    list_filter = ("action", "to_status")
    search_fields = ("report__title", "note", "actor__username")
    list_select_related = ("report", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    inlines = (MembershipInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data:
            # Its API clients' keys stop (or start) working now, not when the read cache of
            # their clients expires.
            from .api import auth as api_auth

            api_auth.forget_clients(obj.api_clients.all())


class UserMembershipInline(admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 0


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(UserAdmin):
    inlines = (UserMembershipInline,)
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active")
    list_filter = ("groups", "is_staff", "is_active")


# --- the partner API: clients and KoboToolbox forms ---------------------------------------------
# Registering, revoking and re-keying go through reports/api (keys and links are shown once).

from collections import Counter  # noqa: E402

from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.html import format_html_join  # noqa: E402

from .api import auth as api_auth  # noqa: E402
from .api import kobo  # noqa: E402
from .models import ApiClient, ApiUsage, KoboForm, KoboSubmission  # noqa: E402


class ApiUsageInline(admin.TabularInline):
    model = ApiUsage
    extra = 0
    can_delete = False
    fields = ("day", "requests")
    readonly_fields = fields
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-day")


@admin.action(description="Revoke the selected clients' keys (for good)")
def revoke_clients(modeladmin, request, queryset):
    for client in queryset:
        api_auth.api_client_revoke(actor=request.user, client=client)
    modeladmin.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "organization",
        "prefix",
        "can_read",
        "can_submit",
        "requests_today",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("organization", "can_submit", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix", "organization__name")
    fields = ("name", "organization", "can_read", "can_submit")
    readonly_fields = ("prefix", "user", "created_by", "created_at", "last_used_at", "revoked_at")
    actions = (revoke_clients,)
    inlines = (ApiUsageInline,)

    def get_fields(self, request, obj=None):
        return self.fields + (self.readonly_fields if obj else ())

    def get_readonly_fields(self, request, obj=None):
        # The organisation is the service user's membership: fixed once registered.
        return (*self.readonly_fields, "organization") if obj else ()

    @admin.display(description="requests today (UTC)")
    def requests_today(self, client):
        usage = client.usage.filter(day=timezone.now().date()).first()
        return usage.requests if usage else 0

    def save_model(self, request, obj, form, change):
        if change:
            ApiClient.objects.filter(pk=obj.pk).update(name=obj.name)
            api_auth.api_client_set_scopes(
                actor=request.user, client=obj, can_read=obj.can_read, can_submit=obj.can_submit
            )
            return
        client, key = api_auth.api_client_create(
            actor=request.user,
            name=obj.name,
            organization=obj.organization,
            can_read=obj.can_read,
            can_submit=obj.can_submit,
        )
        obj.pk, obj.user, obj.prefix, obj.key_hash = client.pk, client.user, client.prefix, ""
        obj._state.adding = False
        messages.warning(
            request,
            f"The key of {client}: {key} -- copy it now into the client's configuration; "
            "it is stored only as a hash and will never be shown again. "
            "Send it as the header 'Authorization: Api-Key <key>'.",
        )

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: its reports and usage keep pointing at it


class KoboFormForm(forms.ModelForm):
    class Meta:
        model = KoboForm
        fields = ("name", "client", "kobo_asset_uid", "kobo_form_uuid", "mapping", "is_active")

    def clean_mapping(self):
        mapping = self.cleaned_data["mapping"]
        try:
            return kobo.clean_mapping(mapping)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def clean_client(self):
        client = self.cleaned_data["client"]
        if not client.can_submit or client.revoked_at is not None:
            raise ValidationError("Choose an API client with the submit scope, not revoked.")
        return client


def _ingest_link(request, token):
    return request.build_absolute_uri(reverse("api-kobo-ingest", args=[token]))


@admin.action(description="Give the selected forms a new link (the old one stops working)")
def new_kobo_links(modeladmin, request, queryset):
    for form in queryset:
        token = kobo.kobo_form_new_token(form)
        messages.warning(
            request, f"New link for {form}: {_ingest_link(request, token)} -- shown only now."
        )


@admin.register(KoboForm)
class KoboFormAdmin(admin.ModelAdmin):
    form = KoboFormForm
    list_display = (
        "name",
        "client",
        "kobo_asset_uid",
        "is_active",
        "prefix",
        "unmapped",
        "created_at",
    )
    list_filter = ("is_active",)
    readonly_fields = ("kobo_ids_seen",)
    actions = (new_kobo_links,)

    @admin.display(description="unmapped submissions")
    def unmapped(self, form):
        return form.submissions.filter(status=KoboSubmission.State.UNMAPPED).count()

    @admin.display(description="Kobo ids in its latest submissions")
    def kobo_ids_seen(self, form):
        """What to copy into the two fields above, and a sign of a link used by two forms."""
        if form.pk is None:
            return "-"
        latest = form.submissions.order_by("-received_at").values_list("payload", flat=True)
        seen = Counter(tuple(kobo.kobo_ids(payload).values()) for payload in latest[:50])
        if not seen:
            return "No submission yet."
        return format_html_join(
            "\n",
            "<div>_xform_id_string <code>{}</code>, formhub/uuid <code>{}</code>: {}</div>",
            (
                (asset or "-", uuid or "-", f"{n} submission(s)")
                for (asset, uuid), n in seen.most_common()
            ),
        )

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created, token = kobo.kobo_form_create(
            name=obj.name,
            client=obj.client,
            mapping=obj.mapping,
            kobo_asset_uid=obj.kobo_asset_uid,
            kobo_form_uuid=obj.kobo_form_uuid,
        )
        created.is_active = obj.is_active
        created.save(update_fields=["is_active"])
        obj.pk, obj.prefix, obj.token_hash = created.pk, created.prefix, created.token_hash
        obj._state.adding = False
        messages.warning(
            request,
            f"Give KoboToolbox this REST Services endpoint: {_ingest_link(request, token)} -- "
            "it is shown only now (use the action 'new link' if it is lost).",
        )


@admin.action(description="Map the selected unmapped submissions again (after fixing the mapping)")
def remap_submissions(modeladmin, request, queryset):
    done = 0
    for submission in queryset.filter(status=KoboSubmission.State.UNMAPPED).select_related(
        "form__client__user"
    ):
        code, _ = kobo.ingest(submission.form, submission.payload)
        done += code == 201
    modeladmin.message_user(request, f"{done} submission(s) became draft reports.")


@admin.register(KoboSubmission)
class KoboSubmissionAdmin(admin.ModelAdmin):
    list_display = ("received_at", "status", "reason", "form", "report", "uuid")
    list_filter = ("status", "form")
    search_fields = ("uuid", "reason")
    date_hierarchy = "received_at"
    actions = (remap_submissions,)
    fields = (
        "form",
        "uuid",
        "kobo_id",
        "submitted_at",
        "status",
        "reason",
        "report",
        "received_at",
        "updated_at",
        "payload_json",
    )
    readonly_fields = fields

    @admin.display(description="payload")
    def payload_json(self, submission):
        from django.utils.html import format_html

        return format_html("<pre>{}</pre>", kobo.pretty(submission.payload))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept for the record, never dropped


# --- tags (django-taggit's admin, with renames followed into the public records) ------------

from taggit.admin import TagAdmin as TaggitTagAdmin  # noqa: E402
from taggit.models import Tag  # noqa: E402

admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(KeptWhileInUse, TaggitTagAdmin):
    """Renaming a tag is followed into the public records. taggit's merge view and tagged-item
    inline are left out: they move tags between reports without the reports' services."""

    inlines = ()
    actions = ()

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            # Approved reports with this tag list it in their public records.
            publication.follow_tag(obj)

    def in_use(self, tag) -> bool:
        # Deleting a tag would silently change public records; rename it instead.
        return tag.taggit_taggeditem_items.exists()
