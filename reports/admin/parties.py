"""The parties to the conflict in the Django admin, written through reports.services (the
moderation pages at /moderation/parties/ do the same); a party reports or sources name stays."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction

from reports import services
from reports.models import Party
from reports.services.parties import check_party

from .change_history import ChangeHistoryAdmin


@admin.register(Party)
class PartyAdmin(ChangeHistoryAdmin):
    list_display = ("name", "short_name", "slug", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "name_my", "short_name", "slug")
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request, obj=None):
        # The slug names the party in links, filters and partners' mirrors: it never changes.
        return ("slug", "created_at") if obj is not None else ("created_at",)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.reports.exists() or obj.statements.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.data_version_bump()  # the pages' list of parties

    def save_model(self, request, obj, form, change):
        data = {field: form.cleaned_data.get(field, "") for field in services.PARTY_FIELDS}
        if change:
            services.party_update(actor=request.user, party=obj, **data)
        else:
            created = services.party_create(
                actor=request.user, slug=form.cleaned_data.get("slug", ""), **data
            )
            obj.pk, obj.slug, obj.created_at = created.pk, created.slug, created.created_at
            obj._state.adding = False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class Checked(form):  # type: ignore[valid-type,misc]
            def clean(self):
                data = super().clean()
                if not self.errors:
                    try:
                        check_party(
                            party=obj, **{f: data.get(f, "") for f in services.PARTY_FIELDS}
                        )
                    except ValidationError as exc:
                        for field, errors in exc.message_dict.items():
                            self.add_error(field if field in self.fields else None, errors)
                return data

        return Checked
