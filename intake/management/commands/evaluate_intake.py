"""`manage.py evaluate_intake [DIR]`: the extractor's precision and recall per field and on
figures overall against a labelled set (default: intake/data/labelled/), the part kept out of
tuning reported apart, and the count of combatant figures proposed as civilian harm. Places
are resolved against this database's gazetteer: load the shipped sample first (`make demo`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from intake.evaluation import LABELLED, evaluate, render


class Command(BaseCommand):
    help = "Precision and recall of the intake extractor against a labelled set."

    def add_arguments(self, parser):
        parser.add_argument("directory", nargs="?", default=str(LABELLED))

    def handle(self, *args, directory, **options):
        path = Path(directory)
        if not path.is_dir() or not any(path.glob("*.json")):
            raise CommandError(f"{directory}: no labelled texts (*.json) there.")
        try:
            reports = evaluate(path)
        except (ValueError, KeyError, OSError) as error:
            raise CommandError(f"{directory}: {error}") from None
        for title, report in reports.items():
            self.stdout.write("\n".join(render(title, report)) + "\n")
