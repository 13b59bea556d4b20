"""`manage.py bench_api`: time a page of /api/v1/reports/ served by gunicorn beside bare Django
views returning the same rows without DRF (api_server.py), from client processes on loopback."""

import http.client
import json
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import CommandError

from reports.models import Organization, Report
from reports.roles import Role
from reports.services import api_client_create
from reports.workflow import Status


def _client(args) -> tuple[int, list[float]]:
    """One client process: GET `path` again and again for `seconds`; returns the count of
    successful requests and their latencies."""
    port, path, headers, seconds = args
    latencies, deadline = [], time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
        latencies.append(time.perf_counter() - start)
    return len(latencies), latencies


def wait_for(port: int, seconds: float = 60) -> None:
    """Wait until a server listens on the local port (gunicorn started by a benchmark)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise CommandError(f"gunicorn did not start on port {port}")


class ApiBenchmark:
    """The benchmark's steps, writing its report to `stdout` (a management command's)."""

    def __init__(self, stdout):
        self.stdout = stdout

    def run(self, *, workers, clients, seconds, port, page_size):
        approved = Report.objects.filter(status=Status.APPROVED).count()
        self.stdout.write(
            f"{approved:,} approved reports on {settings.DATABASES['default']['ENGINE']}"
        )
        key = self._key()
        env = os.environ | {
            "DJANGO_DEBUG": "0",
            # The same key as this process, so the session made here is valid there.
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,
            "TRACKER_API_CLIENT_RATE": "1000000000/hour",
            "TRACKER_API_ANON_RATE": "1000000000/hour",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            [
                gunicorn,
                "reports.bench.api_server:application",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],  # fmt: skip
            env=env,
        )
        try:
            wait_for(port)
            auth = {"Authorization": f"Api-Key {key}", "Host": "127.0.0.1"}
            api = f"/api/v1/reports/?page_size={page_size}"
            prebuilt, built = "/bench/bare-documents/", "/bench/bare-reports/"
            self._same_rows(port, api, prebuilt, auth)
            self._same_rows(port, api, built, auth)
            rows = []
            session = {"Cookie": f"sessionid={self._session()}", "Host": "127.0.0.1"}
            anonymous = {"Host": "127.0.0.1"}
            for label, path, headers in (
                ("API, JSON, API key", api, auth),
                ("API, JSON, session", api, session),
                ("API, JSON, anonymous", api, anonymous),
                ("API, CSV, API key", api + "&format=csv", auth),
                ("bare view: the same rows as pre-built JSON", prebuilt, anonymous),
                ("bare view: the same rows built per request", built, anonymous),
            ):
                _client((port, path, headers, 1))  # warm up
                with multiprocessing.Pool(clients) as pool:
                    results = pool.map(_client, [(port, path, headers, seconds)] * clients)
                count = sum(n for n, _ in results)
                latencies = sorted(x for _, xs in results for x in xs)
                rows.append((label, count / seconds, statistics.median(latencies),
                             latencies[int(len(latencies) * 0.95) - 1]))  # fmt: skip
            self.stdout.write(f"gunicorn {workers} sync workers, {clients} client processes, "
                              f"{seconds:g} s each, page of {page_size}")  # fmt: skip
            self.stdout.write("| | requests/s | median ms | p95 ms |\n|---|---|---|---|")
            for label, rate, median, p95 in rows:
                self.stdout.write(
                    f"| {label} | {rate:.0f} | {median * 1000:.1f} | {p95 * 1000:.1f} |"
                )
            rate = {label: r for label, r, _, _ in rows}
            for baseline in (rows[4][0], rows[5][0]):
                self.stdout.write(
                    f"API JSON / {baseline}: "
                    + ", ".join(
                        f"{rate[label] / rate[baseline]:.2f} ({label.split(', ')[-1]})"
                        for label, *_ in rows[:3]
                    )
                )
        finally:
            server.terminate()
            server.wait(timeout=30)

    def _key(self) -> str:
        admin, _ = get_user_model().objects.get_or_create(username="bench-api-admin")
        admin.groups.add(Group.objects.get(name=Role.ADMIN))
        admin = get_user_model().objects.get(pk=admin.pk)
        organization, _ = Organization.objects.get_or_create(name="Benchmark API partner")
        _, key = api_client_create(actor=admin, name="bench_api", organization=organization)
        return key

    def _session(self) -> str:
        """A logged-in session of the benchmark's administrator (no writes per request)."""
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.get(username="bench-api-admin"))
        return client.cookies["sessionid"].value

    def _same_rows(self, port, api, bare, headers) -> None:
        def get(path):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise CommandError(f"{path}: {response.status} {body[:300]!r}")
            return json.loads(body)["results"]

        api_ids = [(r["id"], len(r["figures"])) for r in get(api)]
        bare_ids = [(r["id"], len(r["figures"])) for r in get(bare)]
        if api_ids != bare_ids:
            raise CommandError("The API and the bare view serve different rows.")
        self.stdout.write(f"Both serve the same {len(api_ids)} reports.")
