"""Time the advocate's pages and the moderation queue over HTTP beside the engine
(reports/bench/pages.py)."""

from django.core.management.base import BaseCommand

from reports.bench.pages import PagesBenchmark


class Command(BaseCommand):
    help = (
        "Serve the dashboard, evidence, briefing, embeds and the moderation queue with gunicorn "
        "(DJANGO_DEBUG=0) on the data set bench_aggregates --load-only left, and print each "
        "page's HTTP time beside the engine's in-process time for the same question."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="Requests per page (median).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
        parser.add_argument("--port", type=int, default=8797)
        parser.add_argument(
            "--baseline",
            default="",
            help="Another checkout of the tracker (e.g. /work/main) to serve the same pages "
            "from, against the same database, for a before/after in the same run: both are "
            "served at once (on --port and --port + 1) and asked alternately.",
        )
        parser.add_argument("--only", default="", help="Only the pages whose label has this.")

    def handle(self, *args, runs, workers, port, baseline, only, **opts):
        PagesBenchmark(self.stdout).run(
            runs=runs, workers=workers, port=port, baseline=baseline, only=only
        )
