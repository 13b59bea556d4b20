"""An approved report's public record, the document the partner API serves."""

from django.db import models

from .core import Report


class PublicReport(models.Model):
    """An approved report's public record: the JSON document the partner API serves, with the
    time it last changed as the public sees it. Kept by reports.publication in the same
    transaction as every change to what it shows; one per approved report, none otherwise."""

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, primary_key=True, related_name="public_record"
    )
    changed_at = models.DateTimeField()
    document = models.TextField()

    class Meta:
        indexes = [
            # The API's order and its updated_since filter.
            models.Index(fields=["changed_at", "report"], name="public_report_by_change"),
        ]

    def __str__(self) -> str:
        return f"Public record of report #{self.report_id}"
