"""Time the place search against the gazetteer in the database (import the full MIMU files
first to see it at scale): each query run several times, its median and slowest reported."""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection

from gazetteer.models import Place
from gazetteer.selectors import resolve_place, search_places

# Every kind of input the search takes: P-codes, displayed names, variants, typos, Burmese.
QUERIES = [
    "MMR002001",
    "Lo",
    "Loikaw",
    "Loikaw Township",
    "Loi Kaw",
    "Loikow",
    "Dee Maw Soe Town",
    "Hpurso",
    "Phruso Township",
    "Kayah State",
    "Bu Khu Village Tract",
    "Ywar Thit",
    "Loikaw Town, Loikaw, Loikaw District, Kayah",
    "လွိုင်ကော်မြို့နယ်",
    "ဒီးမော့ဆို",
    "Atlantis",
]


class Command(BaseCommand):
    help = "Time search_places and resolve_place over the gazetteer in the database."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=7)
        parser.add_argument("query", nargs="*", help="queries to time (default: a fixed set)")

    def handle(self, *args, runs, query, **options):
        self.stdout.write(f"{Place.objects.count()} places, {connection.vendor}, {runs} runs")
        worst = 0.0
        for text in query or QUERIES:
            calls = {
                "search": lambda text=text: search_places(text, limit=15),
                "resolve": lambda text=text: resolve_place(text),
            }
            for name, call in calls.items():
                call()  # a first run warms the database's cache
                times = []
                for _ in range(runs):
                    start = time.perf_counter()
                    call()
                    times.append((time.perf_counter() - start) * 1000)
                worst = max(worst, max(times))
                self.stdout.write(
                    f"{name:8} {text!r:48} median {statistics.median(times):6.1f} ms"
                    f"  max {max(times):6.1f} ms"
                )
        self.stdout.write(f"slowest: {worst:.1f} ms")
