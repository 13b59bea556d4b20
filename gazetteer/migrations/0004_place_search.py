import uuid

import django.db.models.deletion
from django.db import migrations, models

from gazetteer.names import place_keys


def fill_search_keys(apps, schema_editor):
    # place_keys is a pure function of the names (no model code), safe to call from here.
    Place = apps.get_model("gazetteer", "Place")
    places = list(Place.objects.only("name_en", "name_local", "kind"))
    for place in places:
        place.search_key, place.search_key_local = place_keys(
            place.name_en, place.name_local, place.kind
        )
    Place.objects.bulk_update(places, ["search_key", "search_key_local"], batch_size=500)
    apps.get_model("gazetteer", "PlaceSearchStamp").objects.create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0003_boundaries")]

    operations = [
        migrations.AddField(
            model_name="place",
            name="search_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="place",
            name="search_key_local",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=200),
        ),
        migrations.CreateModel(
            name="PlaceSearchStamp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token", models.UUIDField(default=uuid.uuid4)),
            ],
        ),
        migrations.CreateModel(
            name="PlaceAlias",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="English or Burmese, as people write it.", max_length=200
                    ),
                ),
                ("search_key", models.CharField(blank=True, editable=False, max_length=200)),
                (
                    "search_key_local",
                    models.CharField(blank=True, editable=False, max_length=200),
                ),
                (
                    "place",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="aliases",
                        to="gazetteer.place",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "place aliases",
                "constraints": [
                    models.UniqueConstraint(fields=("place", "name"), name="place_alias_unique")
                ],
            },
        ),
        migrations.RunPython(fill_search_keys, migrations.RunPython.noop),
    ]
