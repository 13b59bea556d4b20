"""Recompute the counting engine's summaries from the base tables, or check they agree."""

from django.core.management.base import BaseCommand, CommandError

from reports.aggregates import rebuild_summaries, verify_summaries


class Command(BaseCommand):
    help = (
        "Recompute the counting engine's summary tables from reports, figures, sources and "
        "events (after a bulk load, or a gazetteer import that moved places). --check only "
        "compares them with a recomputation and lists differences."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare only; exit with an error on any difference.",
        )

    def handle(self, *args, check=False, **options):
        if check:
            differences = verify_summaries()
            for line in differences:
                self.stdout.write(line)
            if differences:
                raise CommandError(
                    "The summaries disagree with the base tables: run rebuild_aggregates."
                )
            self.stdout.write(self.style.SUCCESS("The summaries agree with the base tables."))
            return
        written = rebuild_summaries()
        rows = ", ".join(f"{count:,} {table}" for table, count in written.items())
        self.stdout.write(self.style.SUCCESS(f"Summaries rebuilt: {rows}."))
