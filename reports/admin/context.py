"""Context events in the Django admin: saved and deleted through the services (which check
every field and record who changed what); the History button shows every version."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from reports import services
from reports.models import ContextEvent

from .change_history import ChangeHistoryAdmin


class ContextEventAdminForm(forms.ModelForm):
    class Meta:
        model = ContextEvent
        fields = ("name", "kind", "start_date", "end_date", "area", "description", "sources")

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.clean_context_event(
                    **{f: data.get(f) for f in services.CONTEXT_EVENT_FIELDS}
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return data


@admin.register(ContextEvent)
class ContextEventAdmin(ChangeHistoryAdmin):
    form = ContextEventAdminForm
    list_display = ("name", "kind", "start_date", "end_date", "area")
    list_filter = ("kind",)
    search_fields = ("name", "description", "area__name_en", "area__pcode")
    autocomplete_fields = ("area",)
    filter_horizontal = ("sources",)
    readonly_fields = ("created_by", "created_at", "updated_at")
    date_hierarchy = "start_date"

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the service
        return actions

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f) for f in services.CONTEXT_EVENT_FIELDS}
        if change:
            saved = services.context_event_update(actor=request.user, event=obj, **data)
        else:
            saved = services.context_event_create(actor=request.user, **data)
        obj.pk, obj.created_by, obj.created_at = saved.pk, saved.created_by, saved.created_at
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The service has set the sources; the admin would set them again, unattributed.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        services.context_event_delete(actor=request.user, event=obj)
