"""Every source gets a public id drawn at random (Source.public_id), and the public records
say it instead of the database id.

The database ids count up, and a confidential source's id was missing from every public list:
the gaps told how many confidential sources there were, and when sources are added with their
reports (the API's `new_sources`) which reports could share one. An audit told that reports 13
and 15 cite the same confidential source from one missing id alone (DOMAIN.md, "Visibility and
protection": no identifier reveals it).

Each public record naming a public source is rewritten here with its new id and marked as
changed now, so that a partner following `updated_since` fetches it again. The rewrite reads
and writes the stored JSON only: it needs none of the code that builds the records."""

import secrets

from django.db import migrations, models

from ._documents import rewrite_public_records

BATCH = 2000
LOW, HIGH = 2**32, 10**15  # reports.models.core.PUBLIC_ID_RANGE, as it was written here


def _draw(taken: set[int]) -> int:
    while True:
        value = LOW + secrets.randbelow(HIGH - LOW)
        if value not in taken:
            taken.add(value)
            return value


def give_public_ids(apps, schema_editor):
    Source = apps.get_model("reports", "Source")
    HistoricalSource = apps.get_model("reports", "HistoricalSource")
    taken: set[int] = set()
    drawn: dict[int, int] = {}
    for pk in Source.objects.order_by("pk").values_list("pk", flat=True).iterator():
        drawn[pk] = _draw(taken)
    pks = sorted(drawn)
    for start in range(0, len(pks), BATCH):
        sources = [Source(pk=pk, public_id=drawn[pk]) for pk in pks[start : start + BATCH]]
        Source.objects.bulk_update(sources, ["public_id"])

    def public_id_of(pk: int) -> int:
        """The source's public id; a deleted source's (its history, a record naming it were
        one left) one of its own, the same wherever it appears."""
        if pk not in drawn:
            drawn[pk] = _draw(taken)
        return drawn[pk]

    rows = HistoricalSource.objects.values_list("history_id", "id").iterator()
    history = [HistoricalSource(history_id=h, public_id=public_id_of(i)) for h, i in rows]
    HistoricalSource.objects.bulk_update(history, ["public_id"], batch_size=BATCH)
    _rewrite_public_records(apps, public_id_of)


def name_by_database_ids(apps, schema_editor):
    """Back: the public records name sources by their database ids again."""
    Source = apps.get_model("reports", "Source")
    database_ids = dict(Source.objects.values_list("public_id", "pk"))
    _rewrite_public_records(apps, lambda public_id: database_ids.get(public_id, public_id))


def _rewrite_public_records(apps, new_id) -> None:
    def rename(document: dict) -> bool:
        # (A record written before 0017 and not since has no alleged perpetrator.)
        attributing = document.get("alleged_perpetrator", {}).get("sources", [])
        listed = document["sources"] + attributing
        named = [source for source in listed if source["id"] is not None]
        for source in named:
            source["id"] = new_id(source["id"])
        return bool(named)

    rewrite_public_records(apps, rename)


class Migration(migrations.Migration):
    dependencies = [("reports", "0038_everywhere_stock_composed")]

    operations = [
        migrations.AddField(
            model_name="source",
            name="public_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="public_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(give_public_ids, name_by_database_ids, elidable=False),
    ]
