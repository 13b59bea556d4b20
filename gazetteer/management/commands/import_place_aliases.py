"""Load other names of places (pcode,alias CSV, e.g. gazetteer/data/place_aliases.csv) for the
place search; run again and nothing is duplicated. Moderators add more in the admin."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gazetteer.models import Place, PlaceAlias


class Command(BaseCommand):
    help = "Load place aliases (columns pcode, alias) for the place search."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            with path.open(encoding="utf-8-sig", newline="") as file:
                rows = list(csv.DictReader(file))
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        if rows and not {"pcode", "alias"} <= set(rows[0]):
            raise CommandError(f"{path}: the header needs the columns pcode and alias")
        places = Place.objects.in_bulk([row["pcode"].strip() for row in rows], field_name="pcode")
        created = unknown = 0
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                pcode, alias = row["pcode"].strip(), " ".join((row["alias"] or "").split())
                if pcode not in places or not alias:
                    unknown += 1
                    self.stderr.write(f"{path.name}:{line}: no place {pcode!r} or no alias")
                    continue
                _, new = PlaceAlias.objects.get_or_create(place=places[pcode], name=alias)
                created += new
        self.stdout.write(f"{path.name}: {created} aliases added, {unknown} rows skipped")
