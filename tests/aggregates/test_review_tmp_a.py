"""Scratch review tests (to be deleted)."""

from datetime import date as D

import pytest

from reports import aggregates, services
from reports.aggregates import Question, from_base_tables, from_summaries
from reports.aggregates.question import make_plan


@pytest.fixture
def file(world, field_partner, moderator):
    def make(place, start, end=None, figures=(), *, precision="day", title="A report",
             published=None, sources=None, approve=True):
        made = services.report_create(
            actor=field_partner, title=title, place=world[place], start_date=start,
            end_date=end, date_precision=precision,
            figures=[f if isinstance(f, dict) else {"metric": f[0], "value": f[1]}
                     for f in figures],
            sources=sources if sources is not None
            else [world["source"](title, published or end or start)],
        )
        services.report_submit(report=made, actor=field_partner)
        if approve:
            services.report_approve(report=made, actor=moderator)
        made.refresh_from_db()
        return made
    return make


def v(t):
    return (t.best, t.low, None if t.high_open else t.high, t.events, t.reports, t.sources,
            t.high_open, t.approximate, t.as_of_oldest, t.as_of_newest, t.stale)


def shape(a):
    return {
        "totals": {m: v(t) for m, t in a.totals.items()},
        "area": [(r.pcode, {m: v(t) for m, t in r.totals.items()}) for r in a.by_area],
        "period": [(r.start, r.end, {m: v(t) for m, t in r.totals.items()}) for r in a.by_period],
        "beyond": {m: sorted((f.report_id, f.adds.best) for f in x) for m, x in a.beyond.items()},
        "longer": {m: sorted((f.report_id, f.adds.best) for f in x) for m, x in a.longer.items()},
    }


def both(**q):
    plan = make_plan(Question(**q))
    return shape(from_summaries.answer_from_summaries(plan)), shape(
        from_base_tables.answer_from_base(plan))


def diff(**q):
    s, b = both(**q)
    out = []
    for k in s:
        if s[k] != b[k]:
            out.append((k, s[k], b[k]))
    return out


def ask(metric, **q):
    return aggregates.answer(Question(metrics=(metric,), **q))


# 1. A separate mark on one metric switches covering off for every metric of the two events.
def test_mark_on_killed_leaks_into_displacement(world, file, moderator):
    tally = file("kayah", D(2023, 1, 1), D(2023, 6, 30),
                 [("killed", 100), ("newly_displaced", 1000)], title="Tally")
    inner = file("loikaw", D(2023, 2, 10), None,
                 [("killed", 10), ("newly_displaced", 300)], title="Inner")
    y = dict(start=D(2023, 1, 1), end=D(2023, 12, 31))
    assert ask("newly_displaced", **y).totals["newly_displaced"].best == 1000
    services.figures_mark_separate(
        actor=moderator,
        first=tally.figures.get(metric="killed"),
        second=inner.figures.get(metric="killed"),
        reason="The tally excludes this township's killings.",
    )
    assert ask("killed", **y).totals["killed"].best == 110
    # The mark was about killings; displacement should still be covered: max(1000, 300).
    assert ask("newly_displaced", **y).totals["newly_displaced"].best == 1000
