"""Rebuild the approved reports' public records (what the partner API serves), or check them."""

from django.core.management.base import BaseCommand, CommandError

from reports import publication
from reports.services.data_version import data_version_bump


class Command(BaseCommand):
    help = (
        "Rebuild the public record of every approved report (after a bulk load, a restore, or "
        "a change of TRACKER_TIME_ZONE); only records that differ get a new updated_at. "
        "--check only compares them with records built now and lists differences."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare only; exit with an error on any difference.",
        )

    def handle(self, *args, check=False, verbosity=1, **options):
        if check:
            problems = publication.verify()
            for line in problems[:100]:
                self.stdout.write(line)
            if problems:
                raise CommandError(
                    f"{len(problems):,} public records differ: run rebuild_public_records."
                )
            self.stdout.write(self.style.SUCCESS("Every public record is up to date."))
            return

        def progress(done, total):
            if verbosity > 1 or (verbosity and done % 100_000 < publication.BATCH):
                self.stdout.write(f"  {done:,} of {total:,} approved reports")

        touched = publication.rebuild(progress=progress)
        data_version_bump()  # pages built from the records as they were are not served again
        self.stdout.write(
            self.style.SUCCESS(f"Public records rebuilt: {touched:,} written or removed.")
        )
