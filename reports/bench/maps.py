"""The map benchmark (manage.py bench_map): the choropleth of every district in the database
drawn on the server against a baseline measured in the same run (the old circle map of the
same areas, and serialising the same rows as JSON without a map), and the default dashboard's
size as sent gzip-compressed. Import the full gazetteer and boundaries first."""

from __future__ import annotations

import gzip
import json
import statistics
import time
from collections.abc import Callable

from django.template.loader import render_to_string
from django.test import Client

from gazetteer.models import Place
from reports.views import maps


def _median_ms(work: Callable[[], object], repeat: int) -> float:
    work()  # warm the caches (templates, the database's pages)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run(out, *, level: int, repeat: int) -> None:
    places = list(Place.objects.filter(admin_level=level).order_by("path"))
    rows = [
        maps.MapArea(
            p.pcode, p.display_name, (i * 137) % 5000, f"{p.display_name}: {i}", f"/{p.pcode}"
        )
        for i, p in enumerate(places)
    ]
    with_outline = Place.objects.filter(admin_level=level, boundary__isnull=False).count()
    out.write(f"{len(places)} places at admin level {level}, {with_outline} with an outline")

    def choropleth():
        drawn = maps.choropleth(
            None, level, rows, drill_url=lambda pcode: f"/{pcode}", none_title=str
        )
        return render_to_string(
            "reports/dashboard/_map.html", {"map": {"map": drawn, "metric": {"label": "Killed"}}}
        )

    maps._rings.cache_clear()
    started = time.perf_counter()
    svg = choropleth()
    first = (time.perf_counter() - started) * 1000

    def serialised():
        return json.dumps([row.__dict__ for row in rows])

    out.write(f"  {'choropleth, first call (outlines parsed)':<42} {first:8.1f} ms")
    measured = {
        "choropleth, rendered (_map.html)": _median_ms(choropleth, repeat),
        "baseline: the same rows as JSON, no map": _median_ms(serialised, repeat),
    }
    for what, ms in measured.items():
        out.write(f"  {what:<42} {ms:8.1f} ms (median of {repeat})")
    out.write(
        f"  map markup: {len(svg.encode()):,} bytes, {len(gzip.compress(svg.encode())):,} "
        "gzip-compressed"
    )

    page = Client().get("/dashboard/").content
    out.write(
        f"Default dashboard (/dashboard/, the HTML): {len(page):,} bytes, "
        f"{len(gzip.compress(page, compresslevel=6)):,} gzip-compressed (level 6)"
    )
    start = page.find(b'<figure class="map-figure">')
    end = page.find(b"</figure>", start)
    if start >= 0:
        figure = page[start:end]
        out.write(
            f"  of which the map: {len(figure):,} bytes, "
            f"{len(gzip.compress(figure, compresslevel=6)):,} gzip-compressed alone"
        )
