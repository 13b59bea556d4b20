"""Rule 5 in the summaries: which stored events cover a changed one, and what each of a set
of events adds beyond the events it covers (EventCount.adds_*), so the cells add up to the
larger of a covering figure and the sum of what it covers."""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from ...models import EventCount
from ..places import PlaceIndex
from ..rules import is_stock

ADDS = ("adds_best", "adds_low", "adds_high")
OWN = ("best", "range_low", "range_high")
# At most so many SELECTs joined by UNION ALL in one query (SQLite allows 500).
UNION_BATCH = 100


def coverers(rows: Iterable[dict], known: set[str]) -> set[str]:
    """Keys of stored flow events, other than `known`, that cover one of these EventCount
    rows (of one facet or several): their place contains or is its place, their span contains
    its span, and they are not the same place and span."""
    return set().union(*coverers_by_facet(rows, known).values())


def coverers_by_facet(rows: Iterable[dict], known: set[str]) -> dict[str, set[str]]:
    """coverers() of these EventCount rows, by facet, found in one query (one condition per
    row, each by the coverers index)."""
    rows = [r for r in rows if not is_stock(r["metric"])]
    found: dict[str, set[str]] = {}
    if not rows:
        return found
    places = PlaceIndex.around({r["place_id"] for r in rows})
    wanted = Q(pk__in=[])
    for row in rows:
        wanted |= Q(
            facet=row["facet"],
            metric=row["metric"],
            place_id__in=places.chain(row["place_id"]),
            dated__lte=row["dated"],
            span_end__gte=row["span_end"],
        )
    candidates = (
        EventCount.objects.filter(wanted)
        .exclude(key__in=known)
        .values_list("facet", "metric", "key", "place_id", "dated", "span_end")
    )
    for facet, metric, key, place_id, dated, span_end in candidates:
        for row in rows:
            if (
                row["facet"] == facet
                and row["metric"] == metric
                and row["key"] != key
                and place_id in places.chain(row["place_id"])
                and dated <= row["dated"]
                and span_end >= row["span_end"]
                and (place_id, dated, span_end) != (row["place_id"], row["dated"], row["span_end"])
            ):
                found.setdefault(facet, set()).add(key)
                break
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


# What the stored events of other keys that one row's event covers add (stored_covered): those
# within its place (adm<level>, its own level's column) and its span, not the same place and
# span. (A span ending by the row's end starts by it too: said, so that the index on the
# place's dates reads the span's dates only, not every later one.) Written out, not built by
# the ORM: an approval's nine of them took 22 ms to build, their query 6 ms to run.
_COVERED = (
    "SELECT {row}, COUNT(*), MAX(CASE WHEN high_open THEN level END),"
    " CAST(SUM(adds_best) AS BIGINT), CAST(SUM(adds_low) AS BIGINT),"
    " CAST(SUM(adds_high) AS BIGINT)"
    " FROM {table} WHERE facet = %s AND metric = %s AND adm{level} = %s"
    " AND dated BETWEEN %s AND %s AND span_end <= %s"
    " AND NOT (place_id = %s AND dated = %s AND span_end = %s){keys}"
)


def _covered_sql(i: int, row: dict, facet: str, excluded: list[str]) -> tuple[str, list]:
    """The query of what row `i`'s event covers (_COVERED), without the `excluded` keys."""
    sql = _COVERED.format(
        row=int(i),
        table=EventCount._meta.db_table,
        level=int(row["level"]),
        keys=f" AND key NOT IN ({', '.join(['%s'] * len(excluded))})" if excluded else "",
    )
    place, dated, end = row["place_id"], row["dated"], row["span_end"]
    return sql, [facet, row["metric"], place, dated, end, end, place, dated, end, *excluded]


def _apart(row: dict, separate: set[frozenset[str]]) -> list[str]:
    return [key for pair in separate if row["key"] in pair for key in pair if key != row["key"]]


def stored_covered(
    requests: list[tuple[str, dict, Iterable[str]]], separated: dict[str, set[frozenset[str]]]
) -> dict[tuple[str, str, str], tuple[int, list[int], int | None]]:
    """For each (facet, EventCount row, keys being replaced) of a flow: how many stored events
    of other keys it covers, what they add (adds_*) and the finest level of those whose high
    is open (None: none is; read apart from them, its remainder has no floor:
    rules.remainder), by (facet, metric, key), in one query (up to UNION_BATCH rows)."""
    requests = [(f, r, set(k)) for f, r, k in requests if not is_stock(r["metric"])]
    if not requests:
        return {}
    # One aggregate per row, each by its own index range, joined by UNION ALL (a single
    # aggregate with a filter per row reads every row of every range once per row).
    parts = [
        _covered_sql(
            i, row, facet, sorted(mine | set(_apart(row, separated.get(row["metric"], set()))))
        )
        for i, (facet, row, mine) in enumerate(requests)
    ]
    found = {}
    for start in range(0, len(parts), UNION_BATCH):
        batch = parts[start : start + UNION_BATCH]
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(sql for sql, _ in batch),
                [param for _, params in batch for param in params],
            )
            for i, n, open_level, *adds in cursor.fetchall():
                if n:
                    found[i] = (n, [a or 0 for a in adds], open_level)
    covered = {}
    for i, (facet, row, _) in enumerate(requests):
        covered[facet, row["metric"], row["key"]] = found.get(i, (0, [0, 0, 0], None))
    return covered


def settle_adds(
    rows: dict,
    keys: Iterable[str],
    separated: dict[str, set[frozenset[str]]],
    facet: str,
    stored: dict | None = None,
) -> None:
    """Set adds_* and covers of one facet's EventCount rows (by (metric, key)) recomputed for
    `keys`: own numbers less what the events they cover add, never below zero. The covered
    events are stored ones of other keys (the stored rows of `keys` are being replaced), and
    these rows themselves, settled smallest first. `stored`: stored_covered() of these rows,
    when the caller read it already (with other facets')."""
    flows = [r for r in rows.values() if not is_stock(r["metric"])]
    if not flows:
        return
    mine = set(keys)
    if stored is None:
        stored = stored_covered([(facet, row, mine) for row in flows], separated)
    places = PlaceIndex.around({r["place_id"] for r in flows})

    def size(row):
        return ((row["span_end"] - row["dated"]).days, -len(places.chain(row["place_id"])))

    settled: list[dict] = []
    for row in sorted(flows, key=size):
        separate = separated.get(row["metric"], set())
        found, stored_adds, open_level = stored[facet, row["metric"], row["key"]]
        taken = list(stored_adds)
        for other in settled:
            if (
                _covers(row, other, places)
                and frozenset((row["key"], other["key"])) not in separate
            ):
                found += 1
                if other["high_open"]:
                    open_level = max(other["level"], open_level if open_level is not None else -1)
                for i, f in enumerate(ADDS):
                    taken[i] += other[f]
        for i, f in enumerate(ADDS):
            row[f] = max(0, row[OWN[i]] - taken[i])
        row["covers"] = found
        row["covers_open_level"] = open_level
        settled.append(row)
