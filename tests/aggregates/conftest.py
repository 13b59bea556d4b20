"""Fixtures for the counting engine's tests: the `world` they build reports in."""

import pytest

from gazetteer.models import Place
from reports import aggregates, services
from reports.aggregates import Question, Total


@pytest.fixture
def world(places, field_partner, moderator):
    """tests/conftest.py's gazetteer plus a second state, and a helper filing approved reports."""
    shan = Place.objects.create(
        pcode="MMR014",
        admin_level=1,
        name_en="Shan (South)",
        parent=places["MMR"],
        path="/MMR/MMR014/",
        kind="State",
    )
    taunggyi_d = Place.objects.create(
        pcode="MMR014D001",
        admin_level=2,
        name_en="Taunggyi",
        parent=shan,
        path="/MMR/MMR014/MMR014D001/",
        kind="District",
    )
    pekon = Place.objects.create(
        pcode="MMR014005",
        admin_level=3,
        name_en="Pekon",
        parent=taunggyi_d,
        path="/MMR/MMR014/MMR014D001/MMR014005/",
        kind="Township",
        latitude="19.860000",
        longitude="97.010000",
    )
    named = {**places, "shan": shan, "pekon": pekon}
    sources = {}

    def source(name, published_on=None, source_type="news_media"):
        key = (name, published_on, source_type)
        if key not in sources:
            sources[key] = services.source_create(
                actor=moderator, source_type=source_type, name=name, published_on=published_on
            )
        return sources[key]

    def report(
        place,
        on,
        figures,
        *,
        sources=None,
        start=None,
        event=None,
        title="A report",
        cause="",
        tags=(),
        approve=True,
        precision="day",
    ):
        made = services.report_create(
            actor=field_partner,
            title=title,
            place=place if isinstance(place, Place) else named[place],
            start_date=start or on,
            end_date=on if start else None,
            date_precision=precision,
            figures=[
                f if isinstance(f, dict) else {"metric": f[0], "value": f[1]} for f in figures
            ],
            sources=sources if sources is not None else [source("Kantarawaddy Times", on)],
            cause=cause,
            tags=list(tags),
        )
        services.report_submit(report=made, actor=field_partner)
        if approve:
            services.report_approve(report=made, actor=moderator)
        if event is not None:
            services.report_link_event(report=made, event=event, actor=moderator)
        made.refresh_from_db()
        return made

    def event(name="An event"):
        return services.event_create(actor=moderator, name=name)

    yield {
        **places,
        "shan": shan,
        "pekon": pekon,
        "report": report,
        "event": event,
        "source": source,
    }
    # Every scenario leaves summaries that agree with a recomputation from the base tables.
    assert aggregates.verify_summaries() == []


def as_tuple(t: Total):
    return (t.best, t.low, t.high, t.events, t.reports, t.sources)


@pytest.fixture
def file(world, field_partner, moderator):
    """file(place, start, end=None, figures, precision=..., cause=..., tags=...) -> an approved
    report whose one source (named after its title) was published on `published` (default: its
    last day)."""

    def make(
        place,
        start,
        end=None,
        figures=(),
        *,
        precision="day",
        title="A report",
        cause="",
        tags=(),
        published=None,
    ):
        made = services.report_create(
            actor=field_partner,
            title=title,
            place=world[place],
            start_date=start,
            end_date=end,
            date_precision=precision,
            figures=[
                f if isinstance(f, dict) else {"metric": f[0], "value": f[1]} for f in figures
            ],
            sources=[world["source"](title, published or end or start)],
            cause=cause,
            tags=list(tags),
        )
        services.report_submit(report=made, actor=field_partner)
        services.report_approve(report=made, actor=moderator)
        made.refresh_from_db()
        return made

    return make


def ask(metric, **question):
    return aggregates.answer(Question(metrics=(metric,), **question))


def spanning(figures):
    """(report, start, end, counted best, adds best) of each spanning figure, by report."""
    return sorted((f.report_id, f.start, f.end, f.counted.best, f.adds.best) for f in figures)


@pytest.fixture
def gazetteer(places):
    """The test places and Shan (South) with a township straight under its state (the
    gazetteer skips the district level there): the property tests' places."""
    shan = Place.objects.create(pcode="MMR014", admin_level=1, name_en="Shan (South)",
                                parent=places["MMR"], path="/MMR/MMR014/")  # fmt: skip
    Place.objects.create(pcode="MMR014009", admin_level=3, name_en="Hopong", parent=shan,
                         path="/MMR/MMR014/MMR014009/", kind="Township")  # fmt: skip
    return {p.pcode: p for p in Place.objects.all()}
