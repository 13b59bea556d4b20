"""`manage.py bench_pages`: the advocate's pages and the moderation queue served by gunicorn
(DJANGO_DEBUG=0, sync workers) on the data set `bench_aggregates --load-only` left, each page's
HTTP time beside the engine's in-process time for the same question; optionally the same pages
served by another checkout's code (the baseline) against the same database, in the same run."""

# ruff: noqa: E501 - the table of pages reads best one page a line

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management.base import CommandError
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from gazetteer.models import Place
from reports import aggregates
from reports.bench.api import wait_for
from reports.models import Report
from reports.roles import Role
from reports.workflow import Status

from . import dataset

MODERATOR = "bench-pages-moderator"
# A page answering within this many milliseconds, and costing at most so many times its
# engine, meets issue 16's target.
TARGET_MS, TARGET_RATIO = 150, 2.0


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    moderator: bool = False  # asked by a signed-in moderator (else anonymous)


def pages() -> list[Page]:
    """The pages and questions timed: the engine benchmark's questions, as the pages ask them."""
    country = Place.objects.get(pcode=dataset.COUNTRY)
    state = Place.objects.filter(path__startswith=country.path, admin_level=1).order_by("pcode")[2]
    township = Place.objects.filter(path__startswith=state.path, admin_level=3).order_by("pcode")[1]
    year = f"area={state.pcode}&start=2024-01-01&end=2024-12-31"
    quarter = f"area={township.pcode}&start=2024-04-01&end=2024-06-30"
    submitted = Report.objects.filter(status=Status.SUBMITTED).order_by("pk").first()
    found = [
        Page("Dashboard, unfiltered (whole data set, by state, by month)", "/dashboard/"),
        Page("Dashboard, a state over a year", f"/dashboard/?{year}"),
        Page("Dashboard, a township over a quarter", f"/dashboard/?{quarter}"),
        Page("Dashboard, filtered by tag (whole data set)", "/dashboard/?tag=Operation+1111"),
        Page("Dashboard, filtered by cause, a state over a year", f"/dashboard/?{year}&cause=airstrike"),
        Page("Evidence, civilians killed, a state over a year", f"/dashboard/evidence/?{year}&metric=killed"),
        Page("Evidence, newly displaced, a township over a quarter", f"/dashboard/evidence/?{quarter}&metric=newly_displaced"),
        Page("Briefing, a state over a year", f"/dashboard/briefing/?{year}"),
        Page("Embed, headline, a state over a year", f"/dashboard/embed/headline/?{year}&metric=newly_displaced&lang=en"),
        Page("Embed, chart, a state over a year", f"/dashboard/embed/chart/?{year}&metric=newly_displaced&lang=en"),
        Page("Embed, map, a state over a year", f"/dashboard/embed/map/?{year}&metric=newly_displaced&lang=en"),
        Page("Harm by cause and perpetrator, a state over a year", f"/dashboard/harm/?{year}"),
        Page("Harm by cause and perpetrator, filtered by cause, a state over a year", f"/dashboard/harm/?{year}&cause=airstrike"),
        Page("Host communities, a state over a year", f"/dashboard/hosts/?{year}"),
        Page("Moderation queue (submitted, oldest first)", "/moderation/", moderator=True),
        Page("Moderation queue, any status", "/moderation/?status=", moderator=True),
        Page("Moderation queue, approved", "/moderation/?status=approved", moderator=True),
        Page("Moderation queue, searched (a source's name), any status", "/moderation/?q=irrawaddy&status=", moderator=True),
        Page("Moderation queue, searched (a title word), any status", "/moderation/?q=fled&status=", moderator=True),
    ]  # fmt: skip
    if submitted is not None:
        found.append(
            Page("Moderation review page", f"/moderation/reports/{submitted.pk}/", moderator=True)
        )
    return found


@contextmanager
def engine_timer():
    """Adds up the time spent in the counting engine's entry points while the block runs."""
    spent = [0.0]

    def timed(function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        return wrapper

    with (
        mock.patch.object(aggregates, "answer", timed(aggregates.answer)),
        mock.patch.object(aggregates, "totals", timed(aggregates.totals)),
        mock.patch.object(aggregates, "evidence", timed(aggregates.evidence)),
    ):
        yield spent


def _moderator_session() -> str:
    """A signed-in moderator who has given the second factor (as the verify page records it)."""
    user, _ = get_user_model().objects.get_or_create(username=MODERATOR)
    user.groups.add(Group.objects.get(name=Role.MODERATOR))
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client.cookies["sessionid"].value


def _get(port: int, path: str, headers: dict) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    start = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return response.status, elapsed


@contextmanager
def served(code: Path, port: int, workers: int):
    """gunicorn serving the tracker from the checkout at `code` (its own virtual environment and
    static files) with DJANGO_DEBUG=0, on this process's database and secret key."""
    python = code / ".venv" / "bin" / "python"
    gunicorn = code / ".venv" / "bin" / "gunicorn"
    if not gunicorn.exists():
        python, gunicorn = Path(sys.executable), Path(sys.executable).parent / "gunicorn"
    with tempfile.TemporaryDirectory(prefix="bench-pages-static-") as static_root:
        env = os.environ | {
            "DJANGO_DEBUG": "0",
            # The same key as this process, so the session made here is valid there.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "TRACKER_STATIC_ROOT": static_root,
        }
        subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [str(python), "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=code,
            env=env,
            check=True,
        )
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [str(gunicorn), "tracker.wsgi:application", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "300"],
            cwd=code,
            env=env,
        )  # fmt: skip
        try:
            wait_for(port)
            yield
        finally:
            server.terminate()
            server.wait(timeout=30)


class PagesBenchmark:
    """The benchmark's steps, writing its report to `stdout` (a management command's)."""

    def __init__(self, stdout):
        self.stdout = stdout

    def run(self, *, runs: int, workers: int, port: int, baseline: str, only: str):
        self.workers = workers
        approved = Report.objects.filter(status=Status.APPROVED).count()
        if not Place.objects.filter(pcode=dataset.COUNTRY).exists():
            raise CommandError("No benchmark data: run bench_aggregates --load-only first.")
        self.stdout.write(
            f"{Report.objects.count():,} reports ({approved:,} approved) on "
            f"{settings.DATABASES['default']['ENGINE']}; gunicorn, {workers} sync workers, "
            f"DJANGO_DEBUG=0; median of {runs} requests after two a worker to warm up"
        )
        chosen = [p for p in pages() if only.casefold() in p.label.casefold()]
        session = _moderator_session()
        engine = self._engine_times(chosen, runs, session)
        here = Path(settings.BASE_DIR)
        # Both checkouts served at once and asked in turn, page by page and request by
        # request, so a load that changes during the run weighs on both alike.
        with ExitStack() as stack:
            stack.enter_context(served(here, port, workers))
            ports = [port]
            if baseline:
                stack.enter_context(served(Path(baseline), port + 1, workers))
                ports.append(port + 1)
            times = self._http_times(chosen, runs, ports, session)
        now, before = times[0], times[1] if baseline else {}
        self._report(chosen, engine, now, before, baseline)

    def _engine_times(self, chosen, runs, session) -> dict[str, float]:
        """The engine's in-process time for each page's question(s): the page called here through
        Django's test client, the time inside aggregates.answer()/totals()/evidence() added up."""
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = session
        times = {}
        for page in chosen:
            spent = []
            for _ in range(runs + 1):
                # The engine's time as a first request spends it, not a page kept from the last.
                caches["pages"].clear()
                with engine_timer() as timer:
                    response = client.get(page.path)
                if response.status_code != 200:
                    raise CommandError(f"{page.path}: {response.status_code}")
                spent.append(timer[0])
            times[page.path] = statistics.median(spent[1:])
        return times

    def _http_times(self, chosen, runs, ports, session) -> list[dict[str, float]]:
        """The median time of each page on each server (`ports`: this checkout's, then the
        baseline's), the servers asked alternately: for each timed request, one to each, the
        first to go changing every time."""
        times: list[dict[str, float]] = [{} for _ in ports]
        for page in chosen:
            headers = {"Host": "127.0.0.1"}
            if page.moderator:
                headers["Cookie"] = f"sessionid={session}"
            # Every worker of each server answers the page once before the timed requests.
            for port in ports:
                for _ in range(2 * self.workers):
                    self._timed(port, page, headers)
            measured: list[list[float]] = [[] for _ in ports]
            for run in range(runs):
                order = list(range(len(ports)))
                if run % 2:
                    order.reverse()
                for which in order:
                    measured[which].append(self._timed(ports[which], page, headers))
            for which in range(len(ports)):
                times[which][page.path] = statistics.median(measured[which])
        return times

    @staticmethod
    def _timed(port: int, page: Page, headers: dict) -> float:
        status, elapsed = _get(port, page.path, headers)
        if status != 200:
            raise CommandError(f"{page.path}: HTTP {status} (port {port})")
        return elapsed

    def _report(self, chosen, engine, now, before, baseline) -> None:
        baseline_column = " | before (baseline) ms" if before else ""
        self.stdout.write(
            f"\n| page and question | HTTP ms | engine ms | page / engine{baseline_column} |"
        )
        self.stdout.write("|---|---:|---:|---:|" + ("---:|" if before else ""))
        for page in chosen:
            http_ms, engine_ms = now[page.path] * 1000, engine[page.path] * 1000
            ratio = f"{http_ms / engine_ms:.1f}x" if engine_ms >= 0.5 else "no engine"
            row = f"| {page.label} | {http_ms:,.1f} | {engine_ms:,.1f} | {ratio} |"
            if before:
                row += f" {before[page.path] * 1000:,.1f} |"
            self.stdout.write(row)
        if baseline:
            self.stdout.write(f"\nBaseline: the code at {baseline}, the same database.")
        missed = [
            page.label
            for page in chosen
            if now[page.path] * 1000 > TARGET_MS
            and (engine[page.path] < 0.0005 or now[page.path] > TARGET_RATIO * engine[page.path])
        ]
        self.stdout.write(
            f"Target: under {TARGET_MS} ms, or at most {TARGET_RATIO:g}x the engine. "
            + (f"Missed: {'; '.join(missed)}." if missed else "All met.")
        )
