"""The dashboard map's server time and the dashboard's transferred size (reports/bench/maps.py);
import the full gazetteer and boundaries first."""

from django.core.management.base import BaseCommand

from reports.bench import maps


class Command(BaseCommand):
    help = "Time the choropleth of every district against a baseline; size the dashboard."

    def add_arguments(self, parser):
        parser.add_argument(
            "--level", type=int, default=2, help="admin level mapped (2: districts)"
        )
        parser.add_argument("--repeat", type=int, default=20)

    def handle(self, *args, level, repeat, **options):
        maps.run(self.stdout, level=level, repeat=repeat)
