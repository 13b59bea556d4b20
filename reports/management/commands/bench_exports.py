"""Stream throughput of the dashboard's reports download against COPY, and the export jobs'
time and memory (reports/bench/exports.py); load a data set first (`manage.py bench_aggregates
--reports 300000 --load-only`), on PostgreSQL."""

from django.core.management.base import BaseCommand, CommandError

from reports.bench.exports import JOBS, ExportsBenchmark


class Command(BaseCommand):
    help = "Dashboard download throughput vs COPY (gunicorn), and export job times and memory."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=18798)
        parser.add_argument(
            "--jobs",
            default=",".join(JOBS),
            help=f"Export jobs to time, comma-separated (default {','.join(JOBS)}; '' none).",
        )
        parser.add_argument("--no-stream", action="store_true", help="Only the jobs.")

    def handle(self, *args, port, jobs, no_stream, **options):
        names = [name for name in jobs.split(",") if name]
        unknown = sorted(set(names) - set(JOBS))
        if unknown:
            raise CommandError(f"Unknown jobs {unknown}: choose from {JOBS}.")
        ExportsBenchmark(self.stdout).run(port=port, jobs=names, stream=not no_stream)
