"""`manage.py import_gazetteer FILE [FILE ...]`: load MIMU P-code or OCHA COD-AB CSV files."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gazetteer.importer import GazetteerImportError, import_files
from reports import services


class Command(BaseCommand):
    help = (
        "Import places from MIMU P-code files (towns, village tracts) or OCHA COD-AB tabular "
        "files. All or nothing: if any row is rejected, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows and list the rejected ones instead of importing nothing.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, but write nothing."
        )

    def handle(self, *args, files, skip_invalid, dry_run, **options):
        started = time.perf_counter()
        try:
            with transaction.atomic():
                results = import_files(files, skip_invalid=skip_invalid, dry_run=dry_run)
                # Renamed or re-pointed places change the public records of the approved
                # reports placed there (what the partner API serves), and a place moved to
                # another parent the totals above it, in the same transaction.
                followed = (
                    services.Followed(0, 0)
                    if dry_run
                    else services.places_follow_gazetteer_import(results=results)
                )
        except GazetteerImportError as error:
            listing = "\n".join(str(rejection) for rejection in error.rejections)
            raise CommandError(
                f"{error}\n{listing}\nFix the rows, or use --skip-invalid to import the others."
            ) from error
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}") from error
        for result in results:
            self.stdout.write(result.summary())
        for result in results:
            for line, reason in result.rejected:
                self.stderr.write(f"{result.name}:{line}: {reason}")
        if followed.records:
            self.stdout.write(f"{followed.records} public records of approved reports updated.")
        if followed.moved:
            places = "1 place" if followed.moved == 1 else f"{followed.moved} places"
            self.stdout.write(
                f"Figures at {places} were counted under a former parent: "
                "every total was counted again."
            )
        elapsed = time.perf_counter() - started
        if dry_run:
            self.stdout.write(f"Dry run: nothing was written ({elapsed:.2f} s).")
        else:
            self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.2f} s."))
