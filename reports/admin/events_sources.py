"""Events, sources, tags and the history log in the Django admin: renames are followed into
the public records, and what reports use is kept."""

from django.contrib import admin
from django.db import transaction
from taggit.admin import TagAdmin as TaggitTagAdmin
from taggit.models import Tag

from reports import aggregates, publication
from reports.models import Event, EventReferenceFigure, Report, ReportHistory, Source


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
