"""Places of an official gazetteer (MIMU P-codes in Myanmar, OCHA COD-AB elsewhere)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .names import place_keys, typed_name


class AdminLevel(models.IntegerChoices):
    COUNTRY = 0, _("Country")
    STATE = 1, _("State / region")
    DISTRICT = 2, _("District")
    TOWNSHIP = 3, _("Township")
    VILLAGE_TRACT_OR_TOWN = 4, _("Village tract / town")


class Place(models.Model):
    pcode = models.CharField("P-code", max_length=32, unique=True)
    admin_level = models.PositiveSmallIntegerField(choices=AdminLevel.choices)
    # What the gazetteer calls the unit: "Town", "Village tract", "Self-Administered Zone" ...
    kind = models.CharField(max_length=64, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # The P-codes from the country down to this place, "/MMR/MMR002/.../": everything beneath
    # a place is one indexed prefix query (path__startswith=place.path).
    path = models.CharField(max_length=255, db_index=True, editable=False)
    name_en = models.CharField("English name", max_length=200)
    name_local = models.CharField("local-script name", max_length=200, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Only meaningful on a country: the people per household used when a figure is in
    # households and the reporter gave no size.
    default_household_size = models.DecimalField(
        max_digits=4, decimal_places=2, null=True, blank=True
    )
    gazetteer = models.CharField(max_length=100, blank=True, help_text="Release it came from.")
    # The names reduced the way typed text is (gazetteer.names.place_keys), so that the place
    # search finds "Loi Kaw" and "Dee Maw Soe" with an indexed query: kept in step with the
    # names by save() and by the importer, which writes in bulk.
    search_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    search_key_local = models.CharField(max_length=200, blank=True, db_index=True, editable=False)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(admin_level__gte=0, admin_level__lte=4), name="place_admin_level_0_4"
            ),
            models.CheckConstraint(
                condition=Q(admin_level=0, parent__isnull=True)
                | Q(admin_level__gt=0, parent__isnull=False),
                name="place_parent_iff_not_country",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="place_point_valid",
            ),
            models.CheckConstraint(
                condition=Q(default_household_size__isnull=True) | Q(default_household_size__gt=0),
                name="place_household_size_positive",
            ),
        ]

    def __str__(self):
        return f"{self.name_en} ({self.pcode})"

    def save(self, *args, **kwargs):
        changed = self.set_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and changed:
            kwargs["update_fields"] = {*update_fields, "search_key", "search_key_local"}
        super().save(*args, **kwargs)
        if changed or update_fields is None:  # the search's index holds names and kinds too
            PlaceSearchStamp.renew()

    def set_search_keys(self) -> bool:
        """Bring the search keys in step with the names; whether they changed."""
        keys = place_keys(self.name_en, self.name_local, self.kind)
        if keys == (self.search_key, self.search_key_local):
            return False
        self.search_key, self.search_key_local = keys
        return True

    @property
    def english_name(self) -> str:
        """ "Loikaw Township" beside "Loikaw Town": the English name, with the kind of unit
        where the bare name would be ambiguous. What stored and exchanged data carry (public
        records, the API), whatever the language of the request that wrote them."""
        if self.kind in ("Township", "District") and not self.name_en.endswith(self.kind):
            return f"{self.name_en} {self.kind}"
        return self.name_en

    @property
    def display_name(self) -> str:
        """The name a person reads on a page: in the gazetteer's local script when the page is in
        that language (Burmese for MIMU P-codes) and the gazetteer gives one, else English."""
        if self.name_local and translation.get_language() == settings.GAZETTEER_LOCAL_LANGUAGE:
            return self.local_name
        return self.english_name

    @property
    def local_name(self) -> str:
        """ "ဒီးမော့ဆိုမြို့": MIMU's local names of states and districts carry their unit word
        (ပြည်နယ်, ခရိုင်), those of towns and village tracts do not, so a town and the village
        tract of the same name would read alike; the unit word comes from the translation."""
        if self.kind == "Town":
            return pgettext("a town's local name", "%(name)s Town") % {"name": self.name_local}
        if self.kind.casefold() == "village tract":
            return pgettext("a village tract's local name", "%(name)s Village Tract") % {
                "name": self.name_local
            }
        return self.name_local

    @property
    def ancestor_pcodes(self) -> list[str]:
        return [code for code in self.path.split("/") if code][:-1]

    def admin_path_display(self) -> str:
        """ "Loikaw Town, Loikaw, Loikaw District, Kayah": the place and its ancestors below the
        country, the way people name a place."""
        names = {p.pcode: p for p in Place.objects.filter(pcode__in=self.ancestor_pcodes)}
        return admin_path_label(self, names)


def admin_path_label(place: Place, ancestors: dict[str, Place]) -> str:
    """The label of admin_path_display, from the place's ancestors already fetched (by
    P-code). Lists of places are labelled by gazetteer.selectors.kind_paths."""
    chain = [place] + [ancestors[c] for c in reversed(place.ancestor_pcodes) if c in ancestors]
    labels = []
    for unit in chain:
        if unit.admin_level == AdminLevel.COUNTRY:
            continue
        if unit.kind == "Township":
            labels.append(unit.display_name.removesuffix(" Township"))
        else:
            labels.append(unit.display_name)
    return ", ".join(labels) or place.display_name


class PlaceSearchStamp(models.Model):
    """One row whose token changes whenever places or their names do (Place.save, the
    importer): a process keeps the place search's index in memory while the token it was built
    with is still the one here (gazetteer.selectors). A random token, not a counter, so that a
    rolled-back change cannot bring back a value an index was built with."""

    token = models.UUIDField(default=uuid.uuid4)

    def __str__(self):
        return str(self.token)

    @classmethod
    def renew(cls) -> None:
        cls.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4()})


class PlaceAlias(models.Model):
    """Another name people use for a place ("Karenni" for Kayah State), found by the place
    search like the gazetteer's own names: kept by moderators in the admin, or loaded from a
    list (manage.py import_place_aliases gazetteer/data/place_aliases.csv)."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200, help_text="English or Burmese, as people write it.")
    search_key = models.CharField(max_length=200, blank=True, editable=False)
    search_key_local = models.CharField(max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name_plural = "place aliases"
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="place_alias_unique"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # A unit word typed with the alias ("Karenni State") is read as it is in a search.
        typed = typed_name(self.name)
        self.search_key, self.search_key_local = typed.key, typed.local_key
        super().save(*args, **kwargs)
        PlaceSearchStamp.renew()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        PlaceSearchStamp.renew()
        return result


class Boundary(models.Model):
    """A place's outline, simplified on import (gazetteer.importer.boundaries): GeoJSON
    geometry in longitude/latitude, kept as text so that it needs no GIS extension."""

    place = models.OneToOneField(Place, on_delete=models.CASCADE, related_name="boundary")
    # A Polygon or MultiPolygon, compact GeoJSON, coordinates rounded to six decimals.
    geometry = models.TextField()
    min_longitude = models.FloatField()
    min_latitude = models.FloatField()
    max_longitude = models.FloatField()
    max_latitude = models.FloatField()
    # The file it came from ("kayah.json"); for a derived outline, "" (see derived).
    source_file = models.CharField(max_length=200, blank=True)
    # Who drew it, as the map credits it: "MIMU".
    attribution = models.CharField(max_length=100, blank=True)
    # The union of its children's outlines, made because no file gave this place one.
    derived = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(min_longitude__lte=models.F("max_longitude"))
                & Q(min_latitude__lte=models.F("max_latitude")),
                name="boundary_bbox_ordered",
            ),
        ]

    def __str__(self):
        return f"Boundary of {self.place}"
