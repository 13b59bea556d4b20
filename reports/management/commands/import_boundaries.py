"""`manage.py import_boundaries FILE [FILE ...]`: load place outlines from GeoJSON, TopoJSON or
ESRI shapefiles, joined to the gazetteer on their P-codes."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gazetteer.importer.boundaries import (
    DEFAULT_TOLERANCE,
    BoundaryImportError,
    import_boundaries,
)
from reports.services.data_version import data_version_bump


class Command(BaseCommand):
    help = (
        "Import place outlines (GeoJSON, TopoJSON, shapefile .shp or .zip), joined on the "
        "P-code property. All or nothing: if any feature is refused, nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid features and list the refused ones instead of importing "
            "nothing.",
        )
        parser.add_argument(
            "--tolerance",
            type=float,
            default=DEFAULT_TOLERANCE,
            metavar="DEG",
            help=f"Simplification tolerance in degrees (default {DEFAULT_TOLERANCE}; 0 keeps "
            "every point).",
        )
        parser.add_argument(
            "--pcode-field",
            metavar="NAME",
            help="The property holding the P-code (default: the deepest of TS_PCODE, DT_PCODE, "
            "ST_PCODE, ADMn_PCODE).",
        )
        parser.add_argument(
            "--attribution", default="MIMU", help="Who drew the outlines, as the map credits it."
        )

    def handle(self, *args, files, skip_invalid, tolerance, pcode_field, attribution, **options):
        if tolerance < 0:
            raise CommandError("--tolerance must be 0 or more degrees.")
        started = time.perf_counter()
        try:
            with transaction.atomic():
                result = import_boundaries(
                    files,
                    skip_invalid=skip_invalid,
                    tolerance=tolerance,
                    pcode_field=pcode_field,
                    attribution=attribution,
                )
                if result.changed:
                    data_version_bump()  # the maps draw the outlines
        except BoundaryImportError as error:
            listing = "\n".join(str(refusal) for refusal in error.refusals)
            raise CommandError(
                f"{error}\n{listing}\nFix them, or use --skip-invalid to import the others."
            ) from error
        except OSError as error:
            raise CommandError(f"{error.filename}: {error.strerror}") from error
        for file in result.files:
            self.stdout.write(file.summary())
        derived = result.derived
        self.stdout.write(
            f"Derived from children: {derived.created} created, {derived.updated} updated, "
            f"{derived.unchanged} unchanged"
        )
        for file in result.files:
            for who in file.unmatched:
                self.stdout.write(f"{file.name}: {who}: not in the gazetteer, skipped")
        for file in result.files:
            for refusal in file.refused:
                self.stderr.write(f"{refusal}: refused, skipped")
        elapsed = time.perf_counter() - started
        if not result.changed:
            self.stdout.write(self.style.SUCCESS(f"Boundaries: nothing changed ({elapsed:.2f} s)."))
        else:
            self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.2f} s."))
