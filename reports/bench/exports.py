"""`manage.py bench_exports`: the dashboard's "approved reports behind the numbers" CSV for the
whole data set, streamed through gunicorn, against PostgreSQL's COPY of the same rows and
columns in the same run; then the export jobs (CSV, XLSX, the mirror's JSON lines) timed with
their peak memory. Load a data set first (`manage.py bench_aggregates --reports N --load-only`).
docs/benchmarks.md records a run."""

import http.client
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections

from reports import aggregates, exports
from reports.bench.api import wait_for
from reports.models import ExportJob, Report
from reports.selectors.exports import Asker
from reports.workflow import Status

# The reports list's rows (one per figure of an approved report) and its columns that come
# from the base tables, as plain SQL: what COPY writes is the floor a download is measured
# against. Sources, tags and the alleged perpetrator are aggregated per report.
COPY_SQL = """
COPY (
  SELECT r.id, r.event_id, e.name, r.title, r.start_date, r.end_date, r.date_precision,
         p.pcode, p.name_en, p.kind, p.latitude, p.longitude, r.cause, pa.slug, pa.name,
         (SELECT string_agg(t.name, '; ') FROM taggit_taggeditem ti
            JOIN taggit_tag t ON t.id = ti.tag_id
           WHERE ti.object_id = r.id) AS tags,
         f.metric, f.qualifier, f.count_low, f.count_best, f.count_high, d.pcode, d.name_en,
         r.public_summary,
         (SELECT string_agg(s.name, '; ') FROM reports_report_sources rs
            JOIN reports_source s ON s.id = rs.source_id WHERE rs.report_id = r.id) AS sources,
         r.approved_at
    FROM reports_figure f
    JOIN reports_report r ON r.id = f.report_id
    JOIN gazetteer_place p ON p.id = r.place_id
    LEFT JOIN reports_event e ON e.id = r.event_id
    LEFT JOIN reports_party pa ON pa.id = r.perpetrator_id
    LEFT JOIN gazetteer_place d ON d.id = f.destination_id
   WHERE r.status = 'approved'
   ORDER BY r.id, f.id
) TO STDOUT (FORMAT csv, HEADER)
"""


def _copy() -> tuple[int, float]:
    """(data rows, seconds) of COPY of the reports list's rows."""
    started = time.perf_counter()
    lines = 0
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:
        for data in copy:
            lines += bytes(data).count(b"\n")
    return lines - 1, time.perf_counter() - started


def _stream(port: int, path: str) -> tuple[int, float, float, int]:
    """(data rows, seconds to the first byte, seconds in all, bytes) of one download."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    conn.request("GET", path, headers={"Host": "127.0.0.1"})
    response = conn.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{path} answered {response.status}: {response.read()[:300]!r}")
    first = None
    lines = size = 0
    while chunk := response.read1(1 << 16):
        if first is None:
            first = time.perf_counter() - started
        lines += chunk.count(b"\n")
        size += len(chunk)
    conn.close()
    # The CSV quotes newlines inside cells; the header and every row end with \r\n.
    return lines - 1, first or 0.0, time.perf_counter() - started, size


def _peak_rss_kb(pids: list[int]) -> int:
    peak = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]))
    return peak


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _job_in_child(name: str, root: str, queue) -> None:
    """Make one export job in a fresh process (its own peak memory); report (status,
    seconds, bytes, reports, RSS at start and peak in kB, error)."""
    try:
        queue.put(_one_job(name, root))
    except Exception as error:
        queue.put(("error", 0.0, 0, 0, 0, 0, f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()


def _one_job(name: str, root: str) -> tuple:
    connections.close_all()
    settings.TRACKER_EXPORT_ROOT = root
    from reports.services import exports as export_services

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job = ExportJob.objects.create(
        **Asker(session_hash="bench-exports").fields,
        name=name,
        question="",
        address="http://127.0.0.1/dashboard/",
        data_version="bench",
        key=f"bench-{name}-{time.time()}",
    )
    started = time.perf_counter()
    status = export_services.run(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ExportJob.objects.filter(pk=job.pk).delete()
    return (status, seconds, job.size or 0, job.rows_total or 0, before, peak, job.error)


JOBS = ["reports.csv", "reports.xlsx", "mirror.jsonl", "mirror.csv"]


class ExportsBenchmark:
    def __init__(self, stdout):
        self.stdout = stdout

    def run(self, *, port: int, jobs: list[str], stream: bool) -> None:
        approved = Report.objects.filter(status=Status.APPROVED).count()
        vendor = connection.vendor
        self.stdout.write(f"{approved:,} approved reports on {vendor}")
        if vendor != "postgresql":
            self.stdout.write("COPY needs PostgreSQL: set DATABASE_URL.")
            return
        if stream:
            self._stream(port)
        if jobs:
            self._jobs(jobs)

    def _stream(self, port: int) -> None:
        env = os.environ | {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "DJANGO_LOG_LEVEL": "WARNING",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            # Stream everything, to measure the stream on the whole data set.
            "TRACKER_EXPORT_STREAM_MAX_ROWS": "100000000",
        }
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            pass  # free, as it must be
        else:
            raise CommandError(f"Port {port} is taken by another server: choose --port.")
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [gunicorn, "reports.bench.api_server:application", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--timeout", "3600", "--log-level", "warning"],
            env=env,
        )  # fmt: skip
        try:
            wait_for(port)
            # The worker's first request imports the views: not part of a download's time.
            _stream(port, "/api/v1/places/?page_size=1")
            workers = _children(server.pid)
            rows_copy, copy_seconds = _copy()
            path = "/dashboard/download/reports.csv"
            rows, first, seconds, size = _stream(port, path)
            rows_copy2, copy_seconds2 = _copy()
            peak = _peak_rss_kb(workers)
        finally:
            server.terminate()
            server.wait(timeout=30)
        copy_rate = rows_copy / min(copy_seconds, copy_seconds2)
        rate = rows / seconds
        self.stdout.write(
            f"COPY of the same rows: {rows_copy:,} rows in {copy_seconds:.1f} s and "
            f"{copy_seconds2:.1f} s ({copy_rate:,.0f} rows/s, the faster)"
        )
        self.stdout.write(
            f"GET {path} (gunicorn, 1 sync worker): {rows:,} rows, {size / 1e6:.1f} MB in "
            f"{seconds:.1f} s, first byte after {first:.2f} s: {rate:,.0f} rows/s = "
            f"{rate / copy_rate:.2f}x COPY; worker's peak RSS {peak / 1024:.0f} MB"
        )
        # Where the time goes: the engine's evidence (which reports are behind the numbers,
        # and which figure each event counts) before the first row, in this process.
        question = aggregates.parse_question({})
        started = time.perf_counter()
        exports.reports_behind(question, exports.reports_answer(question).metrics)
        evidence = time.perf_counter() - started
        self.stdout.write(
            f"  of which the engine's evidence for the question (in-process, after): "
            f"{evidence:.1f} s; rows alone: {rows / max(seconds - evidence, 0.001):,.0f} rows/s "
            f"= {rows / max(seconds - evidence, 0.001) / copy_rate:.2f}x COPY"
        )

    def _jobs(self, names: list[str]) -> None:
        context = multiprocessing.get_context("fork")
        connections.close_all()
        with tempfile.TemporaryDirectory(prefix="bench-exports-") as root:
            for name in names:
                queue = context.Queue()
                child = context.Process(target=_job_in_child, args=(name, root, queue))
                child.start()
                status, seconds, size, total, before, peak, error = queue.get()
                child.join()
                self.stdout.write(
                    f"job {name}: {status} in {seconds:.1f} s, {total:,} reports, "
                    f"{size / 1e6:.1f} MB; process peak RSS {peak / 1024:.0f} MB "
                    f"(at start {before / 1024:.0f} MB){' ' + error if error else ''}"
                )
