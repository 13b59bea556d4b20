"""Events, sources, tags and the history log in the Django admin: renames are followed into
the public records, and what reports use is kept."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from reports import services
from reports.models import Event, EventReferenceFigure, Report, ReportHistory, Source

from .change_history import ChangeHistoryAdmin


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


def _stand_for(obj, created):
    """The admin's unsaved instance stands for the row a service created (for the log and the
    redirect that follow)."""
    obj.pk, obj.created_by, obj.created_at = created.pk, created.created_by, created.created_at
    obj._state.adding = False


@admin.register(Event)
class EventAdmin(ChangeHistoryAdmin):
    list_display = ("id", "name", "created_at")
    search_fields = ("name", "description")
    readonly_fields = ("created_by", "created_at")
    inlines = (EventReportInline, ReferenceInline)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.event_update(
                actor=request.user, event=obj, name=data["name"], description=data["description"]
            )
        else:
            created = services.event_create(
                actor=request.user, name=data["name"], description=data["description"]
            )
            _stand_for(obj, created)


class KeptWhileInUse:
    """No deleting a row that reports use (through the reverse relation named `used_by`), and
    no bulk delete, which would skip that check: such rows are deleted one at a time."""

    used_by: str

    def has_delete_permission(self, request, obj=None):
        if obj is not None and getattr(obj, self.used_by).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class SourceForm(forms.ModelForm):
    """The services' checks of a source (a web address, no date in the future), field by field.
    On a change, the organisation it was added for, which a moderator may correct (one
    migration 0043 could not place, say); a new source takes its author's."""

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                services.clean_source(**{f: data.get(f) for f in services.SOURCE_FIELDS})
                services.clean_source_party(data.get("party"), data.get("source_type"))
                if self.instance.pk:
                    services.check_source_change(
                        self.instance,
                        source_type=data.get("source_type"),
                        is_confidential=bool(data.get("is_confidential")),
                    )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return data


@admin.register(Source)
class SourceAdmin(KeptWhileInUse, ChangeHistoryAdmin):
    # A cited source stays: every number must remain traceable to what it came from.
    used_by = "reports"
    form = SourceForm
    list_display = ("name", "title", "source_type", "published_on", "language", "is_confidential")
    list_filter = ("source_type", "is_confidential", "language", "organization")
    search_fields = ("name", "title", "url")
    date_hierarchy = "published_on"
    readonly_fields = ("created_by", "created_at")

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if obj is not None else [f for f in fields if f != "organization"]

    def save_model(self, request, obj, form, change):
        fields = {field: form.cleaned_data[field] for field in services.SOURCE_FIELDS}
        fields["party"] = form.cleaned_data.get("party")
        if change:
            organization = form.cleaned_data.get("organization")
            services.source_update(
                actor=request.user, source=obj, organization=organization, **fields
            )
        else:
            created = services.source_create(actor=request.user, **fields)
            _stand_for(obj, created)


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


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(KeptWhileInUse, TaggitTagAdmin):
    """Renaming a tag is followed into the public records. taggit's merge view and tagged-item
    inline are left out: they move tags between reports without the reports' services."""

    inlines = ()
    actions = ()
    # Deleting a tag would silently change public records; rename it instead.
    used_by = "taggit_taggeditem_items"

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)

    def save_model(self, request, obj, form, change):
        if change:
            services.tag_update(actor=request.user, tag=obj, name=obj.name, slug=obj.slug)
        else:
            super().save_model(request, obj, form, change)  # unused until a report carries it
