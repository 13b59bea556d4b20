"""Time the counting engine against plain SQL over a synthetic data set (reports/bench/)."""

from django.core.management.base import BaseCommand

from reports.bench.aggregates import AggregatesBenchmark


class Command(BaseCommand):
    help = (
        "Load a synthetic data set (Myanmar-like gazetteer, 2021-2025) with --reports reports "
        "and time dashboard questions: the engine against plain SQL over the base tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, default=10000, help="Reports to generate.")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete every report, source, event and summary first.",
        )
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument("--seed", type=int, default=2023)
        parser.add_argument("--runs", type=int, default=7, help="Engine runs per question.")
        parser.add_argument("--sql-runs", type=int, default=3, help="Plain SQL runs per question.")
        parser.add_argument(
            "--questions-only",
            action="store_true",
            help="Skip loading: time the questions on the data already there.",
        )

        parser.add_argument(
            "--approvals-only",
            action="store_true",
            help="Skip loading and the questions: time approvals and retractions (rolled back) "
            "on the data already there.",
        )
        parser.add_argument(
            "--engine-only",
            action="store_true",
            help="Skip loading: time the engine's answers to the questions on the data already "
            "there, without the plain SQL, the approvals or the verification (at a million "
            "reports those take hours; the numbers are compared with --questions-only).",
        )
        parser.add_argument(
            "--load-only",
            action="store_true",
            help="Load the data set and build the summaries, then stop (time the questions later "
            "with --questions-only, on a quiet machine).",
        )

    def handle(
        self,
        *args,
        reports,
        reset,
        force,
        seed,
        runs,
        sql_runs,
        questions_only,
        load_only,
        approvals_only,
        engine_only,
        **opts,
    ):
        AggregatesBenchmark(self.stdout).run(
            reports=reports,
            reset=reset,
            force=force,
            seed=seed,
            runs=runs,
            sql_runs=sql_runs,
            questions_only=questions_only,
            load_only=load_only,
            approvals_only=approvals_only,
            engine_only=engine_only,
        )
