"""Admin for places: searchable, so other admins can pick a place with autocomplete_fields."""

from django.contrib import admin
from django.db import transaction

from .models import Place, PlaceAlias


class PlaceAliasInline(admin.TabularInline):
    """Other names people type for the place ("Karenni"): the place search finds them."""

    model = PlaceAlias
    fields = ["name"]
    extra = 1


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    inlines = [PlaceAliasInline]
    list_display = ["pcode", "name_en", "name_local", "admin_level", "kind", "parent"]
    list_filter = ["admin_level", "kind"]
    search_fields = ["pcode", "name_en", "name_local"]
    list_select_related = ["parent"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]

    def get_readonly_fields(self, request, obj=None):
        # The hierarchy comes from the gazetteer files (import_gazetteer): a P-code, level or
        # parent changed here would leave the paths of the place and everything beneath it
        # wrong. Names and points stay editable for corrections.
        if obj is not None:
            return ["pcode", "admin_level", "parent", "path"]
        return self.readonly_fields

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        if not change:  # a new place has nothing beneath it yet
            obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pcode}/"
        super().save_model(request, obj, form, change)
