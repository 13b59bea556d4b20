"""Recompute the SHA-256 of every evidence original (or one report's) and report each file
that is missing or no longer matches the checksum taken when it arrived. Exits non-zero on
any, so it can run from cron or CI."""

from django.core.management.base import BaseCommand, CommandError

from reports.models import Evidence
from reports.services import evidence as services


class Command(BaseCommand):
    help = "Check every evidence original against its SHA-256 (docs/evidence.md)."

    def add_arguments(self, parser):
        parser.add_argument("--report", type=int, help="Only this report's evidence.")

    def handle(self, *args, report=None, **options):
        evidence = Evidence.objects.order_by("pk")
        if report is not None:
            evidence = evidence.filter(report_id=report)
        checked = problems = 0
        for item in evidence.iterator():
            checked += 1
            for finding in services.verify([item]):
                problems += 1
                if finding.problem == "missing":
                    self.stderr.write(
                        f"MISSING evidence #{item.pk} (report #{item.report_id}): "
                        f"{item.original.name}"
                    )
                else:
                    self.stderr.write(
                        f"MISMATCH evidence #{item.pk} (report #{item.report_id}): "
                        f"recorded {item.sha256}, found {finding.found}"
                    )
        if problems:
            raise CommandError(f"{problems} of {checked} evidence files failed the check.")
        self.stdout.write(f"{checked} evidence files checked: every SHA-256 matches.")
