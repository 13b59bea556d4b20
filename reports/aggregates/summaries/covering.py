"""Rule 5 in the summaries: which stored events cover a changed one, and what each of a set
of events adds beyond the events it covers (EventCount.adds_*), so the cells add up to the
larger of a covering figure and the sum of what it covers."""

from collections.abc import Iterable

from django.db.models import BigIntegerField, Count, Sum
from django.db.models.functions import Cast

from ...models import EventCount
from ..places import PlaceIndex
from ..rules import is_stock

ADDS = ("adds_best", "adds_low", "adds_high")
OWN = ("best", "range_low", "range_high")


def coverers(rows: Iterable[dict], known: set[str]) -> set[str]:
    """Keys of stored flow events, other than `known`, that cover one of these EventCount
    rows: their place contains or is its place, their span contains its span, and they are
    not the same place and span."""
    rows = [r for r in rows if not is_stock(r["metric"])]
    if not rows:
        return set()
    places = PlaceIndex.around({r["place_id"] for r in rows})
    found: set[str] = set()
    for row in rows:
        for key, place_id, dated, span_end in (
            EventCount.objects.filter(
                facet=row["facet"],
                metric=row["metric"],
                place_id__in=places.chain(row["place_id"]),
                dated__lte=row["dated"],
                span_end__gte=row["span_end"],
            )
            .exclude(key__in=known | {row["key"]})
            .values_list("key", "place_id", "dated", "span_end")
        ):
            if (place_id, dated, span_end) != (row["place_id"], row["dated"], row["span_end"]):
                found.add(key)
    return found


def _covers(outer: dict, inner: dict, places: PlaceIndex) -> bool:
    return (
        outer["metric"] == inner["metric"]
        and outer["place_id"] in places.chain(inner["place_id"])
        and outer["dated"] <= inner["dated"]
        and inner["span_end"] <= outer["span_end"]
        and (outer["place_id"], outer["dated"], outer["span_end"])
        != (inner["place_id"], inner["dated"], inner["span_end"])
    )


def settle_adds(
    rows: dict, keys: Iterable[str], separated: dict[str, set[frozenset[str]]], facet: str
) -> None:
    """Set adds_* and covers of one facet's EventCount rows (by (metric, key)) recomputed for
    `keys`: own numbers less what the events they cover add, never below zero. The covered
    events are stored ones of other keys (the stored rows of `keys` are being replaced), and
    these rows themselves, settled smallest first."""
    flows = [r for r in rows.values() if not is_stock(r["metric"])]
    if not flows:
        return
    mine = set(keys)
    places = PlaceIndex.around({r["place_id"] for r in flows})

    def size(row):
        return ((row["span_end"] - row["dated"]).days, -len(places.chain(row["place_id"])))

    settled: list[dict] = []
    for row in sorted(flows, key=size):
        separate = separated.get(row["metric"], set())
        apart = [
            key for pair in separate if row["key"] in pair for key in pair if key != row["key"]
        ]
        stored = (
            EventCount.objects.filter(
                facet=facet,
                metric=row["metric"],
                **{f"adm{row['level']}": row["place_id"]},
                dated__gte=row["dated"],
                span_end__lte=row["span_end"],
            )
            .exclude(key__in=mine | set(apart))
            .exclude(place_id=row["place_id"], dated=row["dated"], span_end=row["span_end"])
            .aggregate(
                n=Count("id"), **{f: Cast(Sum(f), BigIntegerField()) for f in ADDS}
            )  # fmt: skip
        )
        taken = [stored[f] or 0 for f in ADDS]
        found = stored["n"]
        for other in settled:
            if (
                _covers(row, other, places)
                and frozenset((row["key"], other["key"])) not in separate
            ):
                found += 1
                for i, f in enumerate(ADDS):
                    taken[i] += other[f]
        for i, f in enumerate(ADDS):
            row[f] = max(0, row[OWN[i]] - taken[i])
        row["covers"] = found
        settled.append(row)
