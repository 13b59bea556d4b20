"""The partner API in the Django admin: API clients and their keys, KoboToolbox forms and
their submissions. Registering, re-scoping, revoking and re-keying go through reports.services
(keys and links are shown once)."""

from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from reports import kobo, services
from reports.models import ApiClient, ApiUsage, KoboForm, KoboSubmission, Organization

from .change_history import ChangeHistoryAdmin


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
        services.api_client_revoke(actor=request.user, client=client)
    modeladmin.message_user(request, f"Revoked {queryset.count()} key(s).", messages.SUCCESS)


@admin.register(ApiClient)
class ApiClientAdmin(ChangeHistoryAdmin):
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            # The service refuses a deactivated organisation: it is not offered.
            kwargs["queryset"] = Organization.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="requests today (UTC)")
    def requests_today(self, client):
        usage = client.usage.filter(day=timezone.now().date()).first()
        return usage.requests if usage else 0

    def save_model(self, request, obj, form, change):
        if change:
            services.api_client_update(
                actor=request.user,
                client=obj,
                name=obj.name,
                can_read=obj.can_read,
                can_submit=obj.can_submit,
            )
            return
        client, key = services.api_client_create(
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
        token = services.kobo_form_new_token(actor=request.user, form=form)
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
        fields = {field: getattr(obj, field) for field in KoboFormForm.Meta.fields}
        if change:
            services.kobo_form_update(actor=request.user, form=obj, **fields)
            return
        created, token = services.kobo_form_create(actor=request.user, **fields)
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
        code, _ = services.kobo_ingest(form=submission.form, payload=submission.payload)
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
        return format_html("<pre>{}</pre>", kobo.pretty(submission.payload))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # kept for the record, never dropped
