"""Stream throughput of the dashboard's reports download against COPY, and the export jobs'
time and memory (reports/bench/exports.py); load a data set first (`manage.py bench_aggregates
--reports 300000 --load-only`), on PostgreSQL."""

from django.core.management.base import BaseCommand

from reports.bench.exports import ExportsBenchmark


class Command(BaseCommand):
    help = "Dashboard download throughput vs COPY (gunicorn), and export job times and memory."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8798)
        parser.add_argument("--no-jobs", action="store_true", help="Only the stream.")
        parser.add_argument("--no-stream", action="store_true", help="Only the jobs.")

    def handle(self, *args, port, no_jobs, no_stream, **options):
        ExportsBenchmark(self.stdout).run(port=port, jobs=not no_jobs, stream=not no_stream)
