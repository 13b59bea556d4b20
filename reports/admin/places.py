"""The Place admin as the tracker runs it: the gazetteer's own, and the public records of the
approved reports placed at a place renamed or moved there follow (the gazetteer stays a leaf)."""

from django.contrib import admin
from django.db import transaction

from gazetteer import admin as gazetteer_admin
from gazetteer.models import Place

from .. import services


class PlaceAdmin(gazetteer_admin.PlaceAdmin):
    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            # Approved reports placed here show its names and point in their public records.
            services.places_follow_renames(place_ids=[obj.pk])
        elif not change:
            services.data_version_bump()  # a new place in the pages' lists of areas

    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.data_version_bump()

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        services.data_version_bump()


admin.site.unregister(Place)
admin.site.register(Place, PlaceAdmin)
