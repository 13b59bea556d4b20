"""The gazetteer as the engine needs it: each place's chain of ancestors, read from the
P-code paths, and the ancestor at a given admin level."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from gazetteer.models import Place

LEVELS = range(5)  # 0 country ... 4 village tract / town


class PlaceIndex:
    """Places by id with their ancestors (top down, the place last)."""

    def __init__(self, places):
        self.places = {p.pk: p for p in places}
        by_code = {p.pcode: p.pk for p in self.places.values()}
        self._chains = {
            p.pk: tuple(by_code[c] for c in p.path.strip("/").split("/") if c in by_code)
            for p in self.places.values()
        }

    @classmethod
    def around(cls, place_ids, paths: Iterable[str] = ()) -> "PlaceIndex":
        """The given places and all their ancestors (inside remembered(), the places read
        once for the whole block). `paths`: the given places' P-code paths, when the caller
        has them: the places and their ancestors are then read in one query, by P-code (a
        path ends with its place's own), not two."""
        memo = _remembered.get()
        wanted = set(place_ids)
        if memo is not None and wanted <= memo.keys():
            return cls(memo.values())
        known = {p.pcode for p in memo.values()} if memo is not None else set()
        places: list[Place] = []
        if paths:
            codes = {c for path in paths for c in path.strip("/").split("/") if c}
            places = list(Place.objects.filter(pcode__in=codes - known))
        read = {p.pk for p in places} | (memo.keys() if memo is not None else set())
        if not wanted <= read:
            more = list(Place.objects.filter(pk__in=wanted - read))
            codes = {c for p in more for c in p.path.strip("/").split("/") if c}
            known |= {p.pcode for p in places} | {p.pcode for p in more}
            places += more + list(Place.objects.filter(pcode__in=codes - known))
        if memo is None:
            return cls(places)
        memo.update((p.pk, p) for p in places)
        return cls(memo.values())

    @classmethod
    def everything(cls) -> "PlaceIndex":
        return cls(Place.objects.all())

    def chain(self, place_id: int) -> tuple[int, ...]:
        return self._chains.get(place_id, (place_id,))

    def level(self, place_id: int) -> int:
        return self.places[place_id].admin_level

    def ancestor_at(self, place_id: int, level: int) -> int | None:
        """The place itself or its ancestor at `level`; None when the place is coarser or the
        gazetteer skips that level above it."""
        for above in self.chain(place_id):
            if self.places[above].admin_level == level:
                return above
        return None

    def by_level(self, place_id: int) -> list[int | None]:
        """[a0, a1, a2, a3, a4]: the ancestor (or the place) at each admin level."""
        return [self.ancestor_at(place_id, level) for level in LEVELS]

    def within(self, place_id: int, area_id: int | None) -> bool:
        return area_id is None or area_id in self.chain(place_id)


_remembered: ContextVar[dict | None] = ContextVar("places_remembered", default=None)


@contextmanager
def remembered() -> Iterator[None]:
    """PlaceIndex.around() reads each place once within the block (one change followed in
    the summaries asks for the same few places facet after facet); places do not move
    within it."""
    token = _remembered.set({} if _remembered.get() is None else _remembered.get())
    try:
        yield
    finally:
        _remembered.reset(token)
