"""`manage.py bench_intake [--repeats N] [--words N]`: the extractor on an article of about
2,000 words (the labelled English accounts and a seed article, repeated), its median time over
several runs against a baseline measured in the same run on the same text (splitting it into
words and sentences with one regular expression each), and the same for a Burmese article.
The target (issue 15): under one second for 2,000 words. Places are found in this database's
gazetteer: import the full MIMU files first to see it at scale."""

import re
import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand

from gazetteer.models import Place
from intake import places
from intake.evaluation import LABELLED
from intake.extract import extract

TARGET_SECONDS = 1.0
ENGLISH = ["s000", "t01", "t02", "t03", "t04", "t05", "t08", "h01", "h02"]
BURMESE = ["t06", "t07", "h03", "h04"]


def article(names: list[str], words: int) -> str:
    """The texts one after another, paragraph by paragraph, until the article has `words`."""
    parts = [(LABELLED / f"{name}.txt").read_text(encoding="utf-8") for name in names]
    text, count = [], 0
    while count < words:
        for part in parts:
            text.append(part.strip())
            count += len(part.split())
            if count >= words:
                break
    return "\n\n".join(text)


def baseline(text: str) -> int:
    """Reading the text once: its words and its sentences."""
    return len(re.findall(r"\w+", text)) + len(re.split(r"(?<=[.!?။])\s+", text))


def once(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def timed(call, repeats: int) -> list[float]:
    call()  # warms the regular expressions' cache and the places already named
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


class Command(BaseCommand):
    help = "Time the intake extractor on a 2,000-word article against a baseline."

    def add_arguments(self, parser):
        parser.add_argument("--repeats", type=int, default=7)
        parser.add_argument("--words", type=int, default=2000)

    def handle(self, *args, repeats, words, **options):
        self.stdout.write(
            f"{Place.objects.count()} places in the gazetteer; {repeats} runs each, median"
        )
        slowest = 0.0
        for language, names in (("en", ENGLISH), ("my", BURMESE)):
            text = article(names, words)
            size = len(text.split())
            # The first article after a start or a gazetteer change finds its places afresh.
            places.clear_caches()
            cold = once(
                lambda text=text, language=language: extract(
                    text, published=date(2024, 1, 15), language=language
                )
            )
            runs = timed(
                lambda text=text, language=language: extract(
                    text, published=date(2024, 1, 15), language=language
                ),
                repeats,
            )
            base = timed(lambda text=text: baseline(text), repeats)
            found = len(extract(text, published=date(2024, 1, 15), language=language).candidates)
            median, base_median = statistics.median(runs), statistics.median(base)
            slowest = max(slowest, median, cold)
            self.stdout.write(
                f"{language}: {size} words, {len(text)} characters, {found} candidates: "
                f"extract median {median * 1000:.1f} ms (max {max(runs) * 1000:.1f} ms, "
                f"first run with no places cached {cold * 1000:.1f} ms); "
                f"baseline (words and sentences) {base_median * 1000:.2f} ms; "
                f"{median / base_median:.0f}x the baseline"
            )
        verdict = "within" if slowest < TARGET_SECONDS else "OVER"
        self.stdout.write(
            f"target: under {TARGET_SECONDS:.0f} s for {words} words: {verdict} "
            f"(slowest: {slowest * 1000:.1f} ms)"
        )
