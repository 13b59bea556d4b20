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


admin.site.unregister(Place)
admin.site.register(Place, PlaceAdmin)
