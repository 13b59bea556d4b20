"""Throughput of a page of the reports API against bare Django views (reports/bench/); load a data
set first (`manage.py bench_aggregates --reports 1000000`), on PostgreSQL."""

from django.core.management.base import BaseCommand

from reports.bench.api import ApiBenchmark


class Command(BaseCommand):
    help = "Throughput of a page of the reports API against a bare Django view (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
        parser.add_argument("--clients", type=int, default=8, help="concurrent client processes")
        parser.add_argument("--seconds", type=float, default=15, help="per measured URL")
        parser.add_argument("--port", type=int, default=8799)
        parser.add_argument("--page-size", type=int, default=100)

    def handle(self, *args, workers, clients, seconds, port, page_size, **options):
        ApiBenchmark(self.stdout).run(
            workers=workers, clients=clients, seconds=seconds, port=port, page_size=page_size
        )
