"""Rewriting the reports' public records in a migration, on their stored JSON alone.

A migration that changed what a public record says once called reports.publication, today's
code: on a database migrated past several releases at once, that code read columns a later
migration had not added yet (Source.public_id, 0039) and the migration failed. Rewriting the
JSON needs no model but PublicReport's, as the migration's own state has it. (Not a migration:
Django's loader skips modules whose names begin with "_".)"""

import json
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.utils import timezone
from rest_framework import serializers

BATCH = 2000


def rewrite_public_records(
    apps, change: Callable[[dict], bool], report_ids: Iterable[int] | None = None
) -> None:
    """change(document) edits one record's document in place and says whether it changed
    anything; each record changed is marked changed now (its `updated_at` too), so that a
    partner following `updated_since` fetches it again: one microsecond apart, as
    publication._follow_batch writes them, since the API pages by that time and DRF's cursor
    loops over more than a page's worth of equal ones. All records, or those of `report_ids`.
    """
    PublicReport = apps.get_model("reports", "PublicReport")
    records = PublicReport.objects.order_by("pk")
    if report_ids is not None:
        records = records.filter(pk__in=list(report_ids))
    pks = list(records.values_list("pk", flat=True))
    now = timezone.now()
    written = 0
    for start in range(0, len(pks), BATCH):
        changed = []
        for record in PublicReport.objects.filter(pk__in=pks[start : start + BATCH]):
            document = json.loads(record.document)
            if not change(document):
                continue
            record.changed_at = now + timedelta(microseconds=written)
            written += 1
            document["updated_at"] = serializers.DateTimeField().to_representation(
                record.changed_at
            )
            record.document = json.dumps(
                document, ensure_ascii=False, allow_nan=False, separators=(",", ":")
            )
            changed.append(record)
        PublicReport.objects.bulk_update(changed, ["document", "changed_at"])
