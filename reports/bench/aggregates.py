"""`manage.py bench_aggregates`: fill a database with the synthetic data set and time the counting
engine against plain SQL over the base tables, checking that both give the same numbers."""

import os
import platform
import sqlite3
import statistics
import time
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from gazetteer.models import Place
from reports import aggregates, publication, services
from reports.aggregates import Question, make_plan
from reports.aggregates.assemble import calendar
from reports.bench import dataset
from reports.bench.plain_sql import engine_numbers, plain_sql
from reports.models import (
    EventCount,
    Figure,
    FlowTotal,
    Membership,
    Organization,
    Report,
    Source,
    SourceUse,
    StockStep,
)
from reports.roles import Role
from reports.views.dashboard_shaping import SPANNING_SHOWN
from reports.workflow import Status

BASE_TABLES = [
    "reports_publicreport",
    "reports_reporthistory",
    "reports_submissionkey",
    "reports_eventreferencefigure",
    "reports_figure",
    "reports_report_sources",
    "taggit_taggeditem",
    "reports_report",
    "reports_event",
    "reports_source",
    "reports_eventcount",
    "reports_sourceuse",
    "reports_flowtotal",
    "reports_stockstep",
]


class AggregatesBenchmark:
    """The benchmark's steps, writing its report to `stdout` (a management command's)."""

    def __init__(self, stdout):
        self.stdout = stdout

    def run(
        self,
        *,
        reports,
        reset,
        force,
        seed,
        runs,
        sql_runs,
        questions_only,
        load_only=False,
        approvals_only=False,
        engine_only=False,
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and the benchmark fills the database "
                "with invented reports. Use --force if you really mean it."
            )
        if questions_only or approvals_only or engine_only:
            country = Place.objects.filter(pcode=dataset.COUNTRY).first()
            if country is None:
                raise CommandError("No benchmark data here: run without --questions-only first.")
        else:
            self._load(reports, reset, seed)
            if load_only:
                return
        self._describe_machine()
        if approvals_only:
            self._approvals()
            return
        if engine_only:
            self._questions(runs, sql_runs, engine_only=True)
            return
        self._questions(runs, sql_runs)
        self._approvals()
        self._verify()

    # --- loading

    def _load(self, reports, reset, seed):
        has_data = Report.objects.exists() or Source.objects.exists()
        if has_data and not reset:
            raise CommandError(
                "This database already holds reports or sources. Benchmark on an empty database, "
                "or pass --reset to delete every report, source and event in it first."
            )
        if reset:
            self._reset()
        organization, user = self._accounts()
        started = time.perf_counter()
        with transaction.atomic():
            written, _ = dataset.load(
                reports,
                organization_id=organization.pk,
                user_id=user.pk,
                seed=seed,
                out=lambda line: self.stdout.write(line),
            )
        loaded = time.perf_counter() - started
        self._analyze()
        self.stdout.write(
            f"Loaded in {loaded:.1f} s: {written['places']:,} places, {written['reports']:,} "
            f"reports ({written['approved']:,} approved), {written['figures']:,} figures "
            f"({written['approved_figures']:,} of approved reports), {written['sources']:,} "
            f"sources, {written['events']:,} events, {written['references']:,} reference "
            "figures."
        )
        started = time.perf_counter()
        rows = aggregates.rebuild_summaries()
        built = time.perf_counter() - started
        self._analyze()
        self.stdout.write(
            f"Summaries built in {built:.1f} s: "
            + ", ".join(f"{n:,} {table}" for table, n in rows.items())
        )
        started = time.perf_counter()
        records = publication.rebuild()
        self.stdout.write(
            f"Public records (what the API serves) built in {time.perf_counter() - started:.1f} s: "
            f"{records:,}"
        )

    def _reset(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {', '.join(BASE_TABLES)} CASCADE")
            else:
                for table in BASE_TABLES:
                    cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
            # The benchmark's own gazetteer, finest level first (parents are protected).
            for level in range(4, -1, -1):
                cursor.execute(
                    "DELETE FROM gazetteer_place WHERE path LIKE %s AND admin_level = %s",
                    [f"/{dataset.COUNTRY}/%", level],
                )
        self.stdout.write("Reset: every report, source, event and summary deleted.")

    def _accounts(self):
        organization, _ = Organization.objects.get_or_create(name="Benchmark organisation")
        user = get_user_model().objects.filter(username="bench-moderator").first()
        if user is None:
            user = get_user_model().objects.create_user(
                username="bench-moderator", password=None, is_staff=True
            )
            user.groups.add(Group.objects.get(name=Role.MODERATOR))
            Membership.objects.create(user=user, organization=organization)
        return organization, get_user_model().objects.get(pk=user.pk)

    def _analyze(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _describe_machine(self):
        memory = ""
        if os.path.exists("/proc/meminfo"):
            with open("/proc/meminfo") as meminfo:
                kb = int(meminfo.readline().split()[1])
            memory = f", {kb / 1024 / 1024:.1f} GiB RAM"
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
                cursor.execute("SHOW shared_buffers")
                database = f"PostgreSQL {version} (shared_buffers {cursor.fetchone()[0]})"
        else:
            database = f"SQLite {sqlite3.sqlite_version}"
        approved = Figure.objects.filter(report__status=Status.APPROVED).count()
        self.stdout.write(
            f"\nMachine: {os.cpu_count()} CPUs{memory}, {platform.platform()}, Python "
            f"{platform.python_version()}, {database}.\nApproved figures: {approved:,}; "
            f"summary rows: {EventCount.objects.count():,} EventCount, "
            f"{SourceUse.objects.count():,} SourceUse "
            f"({SourceUse.objects.filter(shared=True).count():,} shared), "
            f"{FlowTotal.objects.count():,} FlowTotal, {StockStep.objects.count():,} StockStep."
        )

    # --- questions

    def _questions(self, runs, sql_runs, *, engine_only=False):
        country = Place.objects.get(pcode=dataset.COUNTRY)
        state = Place.objects.filter(path__startswith=country.path, admin_level=1).order_by(
            "pcode"
        )[2]
        township = Place.objects.filter(path__startswith=state.path, admin_level=3).order_by(
            "pcode"
        )[1]
        questions = [
            ("Whole data set: all metrics, by state, by month", Question()),
            (
                "A state over a year: all metrics, by district, by month",
                Question(area=state.pcode, start=date(2024, 1, 1), end=date(2024, 12, 31)),
            ),
            (
                "A township over a quarter: all metrics, by village tract, by week",
                Question(area=township.pcode, start=date(2024, 4, 1), end=date(2024, 6, 30)),
            ),
            (
                "Everywhere in 2023: all metrics, by township, by month",
                Question(start=date(2023, 1, 1), end=date(2023, 12, 31), level=3, period="month"),
            ),
            (
                "A state over a year, one flow (newly displaced), by township, by month",
                Question(
                    area=state.pcode,
                    start=date(2023, 1, 1),
                    end=date(2023, 12, 31),
                    metrics=("newly_displaced",),
                    level=3,
                ),
            ),
            (
                "A state, people currently displaced (the stock), by district, by quarter",
                Question(area=state.pcode, metrics=("currently_displaced",), period="quarter"),
            ),
            (
                "Filtered (cause: airstrike), a state over a year, by district, by month",
                Question(
                    area=state.pcode,
                    start=date(2024, 1, 1),
                    end=date(2024, 12, 31),
                    cause="airstrike",
                ),
            ),
            (
                "Filtered (tag, any case), the whole data set, by state, by month",
                Question(tag="operation 1111"),
            ),
            (
                "Filtered (source type: UN), everywhere in 2023, by township, by month",
                Question(
                    start=date(2023, 1, 1),
                    end=date(2023, 12, 31),
                    level=3,
                    period="month",
                    source_type="un_ingo",
                ),
            ),
            (
                "Filtered (one event), all time: from the base tables",
                Question(event=_largest_event(state)),
            ),
            (
                "Filtered (cause and tag at once), a state over a year: from the base tables",
                Question(
                    area=state.pcode,
                    start=date(2024, 1, 1),
                    end=date(2024, 12, 31),
                    cause="airstrike",
                    tag="Operation 1027",
                ),
            ),
        ]
        # The engine first, every question, then the plain SQL: each plain query reads the
        # whole base tables and would push the summaries out of PostgreSQL's buffers, which a
        # dashboard serving questions all day keeps warm.
        # The engine as the dashboard and the briefing ask (at most SPANNING_SHOWN figures
        # listed beyond the period and longer than a period, per metric), and as the API and
        # the downloads ask (every one); the numbers are compared on the full answer.
        engine, full = {}, {}
        for label, question in questions:
            aggregates.answer(question, lines=SPANNING_SHOWN)  # warm-up
            engine[label] = _median(
                lambda q=question: aggregates.answer(q, lines=SPANNING_SHOWN), runs
            )
            full[label] = _median(lambda q=question: aggregates.answer(q), runs)
        if engine_only:
            self.stdout.write(
                "\n| question | engine, dashboard (median) | engine, every line (median) |"
                "\n|---|---:|---:|"
            )
            for label, _ in questions:
                self.stdout.write(
                    f"| {label} | {engine[label] * 1000:.1f} ms | {full[label] * 1000:.1f} ms |"
                )
            return
        self.stdout.write(
            "\n| question | engine, dashboard (median) | engine, every line (median) "
            "| plain SQL (median) | speed-up | same numbers |"
            "\n|---|---:|---:|---:|---:|---|"
        )
        failures = 0
        for label, question in questions:
            plan = make_plan(question)
            answer = aggregates.answer(question)
            kind, periods = calendar(
                plan,
                answer.by_period[0].start if answer.by_period else None,
                answer.by_period[-1].end if answer.by_period else None,
            )
            sql_answer, sql = None, []
            for _ in range(sql_runs):
                started = time.perf_counter()
                sql_answer = plain_sql(plan, kind, periods)
                sql.append(time.perf_counter() - started)
            same = engine_numbers(answer, kind) == sql_answer
            failures += not same
            self.stdout.write(
                f"| {label} | {engine[label] * 1000:.1f} ms | {full[label] * 1000:.1f} ms | "
                f"{statistics.median(sql) * 1000:,.0f} ms "
                f"| {statistics.median(sql) / engine[label]:,.0f}x | {'yes' if same else 'NO'} |"
            )
            if not same:
                self._show_difference(engine_numbers(answer, kind), sql_answer)
        if failures:
            raise CommandError(f"{failures} question(s) gave different numbers.")

    def _show_difference(self, engine, sql):
        for part in ("totals", "by_area", "by_period", "beyond", "longer"):
            for key in sorted(set(engine[part]) | set(sql[part]), key=str):
                if engine[part].get(key) != sql[part].get(key):
                    self.stdout.write(f"  {part} {key}: engine {engine[part].get(key)}")
                    self.stdout.write(f"  {' ' * len(part)} {key}: SQL    {sql[part].get(key)}")
                    break

    # --- following changes

    def _approvals(self, rounds: int = 3):
        """Approvals and retractions through the services, summaries followed: a flow, harm
        (stating no perpetrator: its own facet too) and a stock, dated in the last days of the
        data; a flow and a stock back-dated (a stock's steps are rewritten over the dates the
        change can reach); a back-dated stock at a place with no figure of its own (it stands
        to the end there); the same citing a source another stock figure cites alone (so that
        figure's place changes too), with a cause and a tag (three facets more); a state's flow
        for a month, which covers the township figures in it (rule 5). Each the median of
        `rounds`, in a transaction rolled back afterwards, with the queries each made."""
        user = get_user_model().objects.get(username="bench-moderator")
        within = Place.objects.filter(path__startswith=f"/{dataset.COUNTRY}/")
        township = within.filter(admin_level=3).first()
        stock = "currently_displaced"
        stocked = EventCount.objects.filter(facet="", metric=stock, adm4__isnull=False)
        bare = within.filter(admin_level=4).exclude(pk__in=stocked.values("adm4"))
        bare_place = bare.order_by("pcode").first()
        cited = (
            SourceUse.objects.filter(facet="", metric=stock, shared=False, source_id__gt=0)
            .order_by("source_id")
            .values_list("source_id", flat=True)
            .first()
        )
        state = within.filter(admin_level=1).order_by("pcode").first()
        recent, back = date(2025, 12, 30), date(2022, 3, 15)
        cases = [
            ("flow, dated 2025-12-30", township, "newly_displaced", recent, None, {}),
            # Harm stating no perpetrator: counted in the "p:none" facet as well.
            ("harm (killed), dated 2025-12-30", township, "killed", recent, None, {}),
            ("stock, dated 2025-12-30", township, stock, recent, None, {}),
            ("flow, dated 2022-03-15", township, "newly_displaced", back, None, {}),
            ("stock, dated 2022-03-15", township, stock, back, None, {}),
            ("stock, dated 2022-03-15, a place with no figure", bare_place, stock, back, None, {}),
            (
                "stock, dated 2022-03-15, a place with no figure, a source shared, a cause, a tag",
                bare_place,
                stock,
                back,
                None,
                {
                    "sources": [Source.objects.get(pk=cited)] if cited else [],
                    "cause": "ground_assault",
                    "tags": ["Church"],
                },
            ),
            (
                "flow, dated 2025-11-01 to 2025-11-30, a state's, covering others",
                state,
                "newly_displaced",
                date(2025, 11, 1),
                date(2025, 11, 30),
                {},
            ),
        ]
        lines = [
            "| report | approve | retract | queries (approve) | queries (retract) |",
            "|---|---:|---:|---:|---:|",
        ]
        for label, place, metric, day, end, extra in cases:
            if place is None:  # (a data set too small to have one)
                continue
            approve, retract, queries = [], [], (0, 0)
            for _ in range(rounds):
                timings, queries = _approve_and_retract(user, place, metric, day, end, extra)
                approve.append(timings[0])
                retract.append(timings[1])
            lines.append(
                f"| {label} | {statistics.median(approve) * 1000:.0f} ms "
                f"| {statistics.median(retract) * 1000:.0f} ms | {queries[0]} | {queries[1]} |"
            )
        self.stdout.write(
            "\nA change followed by the summaries (whole service call, median of "
            f"{rounds}):\n" + "\n".join(lines)
        )

    def _verify(self):
        started = time.perf_counter()
        differences = aggregates.verify_summaries()
        took = time.perf_counter() - started
        for line in differences:
            self.stdout.write(line)
        if differences:
            raise CommandError("The summaries disagree with the base tables.")
        self.stdout.write(
            f"verify_summaries(): the summaries agree with a recomputation from the base tables "
            f"({took:.1f} s)."
        )


class _RolledBack(Exception):
    pass


def _approve_and_retract(user, place, metric, day, end=None, extra=None):
    """One report approved then retracted, timed, in a transaction rolled back afterwards:
    ((approve s, retract s), (queries, queries)). `extra`: more sources, a cause, tags."""
    extra = dict(extra or {})
    timings, queries = [], []
    try:
        with transaction.atomic():
            source = services.source_create(
                actor=user,
                source_type="news_media",
                name="Bench check",
                published_on=date(2025, 12, 30),
            )
            report = services.report_create(
                actor=user,
                title=f"Bench check: {metric}",
                place=place,
                start_date=day,
                end_date=end,
                figures=[{"metric": metric, "value": 1234}],
                sources=[source, *extra.pop("sources", [])],
                **extra,
            )
            services.report_submit(report=report, actor=user)
            for step in (
                lambda: services.report_approve(report=report, actor=user),
                lambda: services.report_retract(
                    report=report, actor=user, reason="Benchmark check."
                ),
            ):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    step()
                    timings.append(time.perf_counter() - started)
                queries.append(len(captured.captured_queries))
            raise _RolledBack
    except _RolledBack:
        pass
    return tuple(timings), tuple(queries)


def _median(call, runs) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _largest_event(state) -> int:
    """The event with the most approved reports in the state."""
    return (
        Report.objects.filter(
            status=Status.APPROVED,
            event__isnull=False,
            place__path__startswith=state.path,
        )
        .values("event_id")
        .annotate(n=Count("id"))
        .order_by("-n", "event_id")
        .values_list("event_id", flat=True)
        .first()
    )
