"""A question to the counting engine, read from GET parameters, and the calendar periods its
answers are broken down by."""

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from gazetteer.models import AdminLevel, Place

from .. import selectors
from ..dates import read_day
from ..vocabulary import Cause, Metric, SourceType

PERIODS = ("week", "month", "quarter", "year")
NO_DESTINATION = "none"  # destination=none: the figures that do not say where people went
BY_DESTINATION = "destination"
# The most rows a time series may have (about 19 years of weeks): more is no chart anyone reads,
# and every row is a condition in the engine's queries.
MAX_PERIODS = 1000

# Longest span (in days) answered by each period when the question does not choose one.
AUTO_PERIOD = ((92, "week"), (6 * 366, "month"), (20 * 366, "quarter"))
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MAX_TAG = 100


class QuestionError(ValueError):
    """Bad parameters; .errors maps the GET parameter's name to a message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass(frozen=True)
class Question:
    start: date | None = None  # inclusive; None = from the beginning
    end: date | None = None  # inclusive; None = up to today
    area: str | None = None  # P-code of any admin level; None = everything
    metrics: tuple[str, ...] = ()  # Metric values; () means all metrics
    cause: str | None = None
    tag: str | None = None
    source_type: str | None = None  # counts figures of reports citing a source of this type
    event: int | None = None
    # The alleged perpetrator: a party's slug, "unknown", or "none" (not stated).
    perpetrator: str | None = None
    level: int | None = None  # admin level of the area breakdown; None = area's level + 1
    period: str | None = None  # week | month | quarter | year; None = chosen from the span
    # Host communities (docs/counting.md, "Where people went"): the figures' destination.
    destination: str | None = None  # P-code: only figures whose destination is within it;
    #                                 NO_DESTINATION: only figures that say none
    by: str | None = None  # BY_DESTINATION: the breakdown by area is by the figures' destination


def _values(params, name) -> list[str]:
    if hasattr(params, "getlist"):
        raw = params.getlist(name)
    else:
        raw = params.get(name)
        raw = [] if raw is None else raw if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in raw if str(v).strip()]


def _one(params, name) -> str | None:
    values = _values(params, name)
    return values[-1] if values else None


# The dates a question may ask between: far beyond any report, and far enough from the
# calendar's ends that a day or a month before or after each is still a date.
EARLIEST_ASKED, LATEST_ASKED = date(1900, 1, 1), date(2199, 12, 31)


def _date(raw, name, errors) -> date | None:
    if raw is None:
        return None
    try:
        day = read_day(raw)
    except ValueError:
        pass
    else:
        if EARLIEST_ASKED <= day <= LATEST_ASKED:
            return day
        errors[name] = _("Enter a date between %(earliest)s and %(latest)s (got %(got)s).") % {
            "earliest": EARLIEST_ASKED,
            "latest": LATEST_ASKED,
            "got": raw,
        }
        return None
    errors[name] = _("Enter a date as YYYY-MM-DD (got %(got)r).") % {"got": raw[:40]}
    return None


def _integer(raw, name, errors) -> int | None:
    if raw is None:
        return None
    if re.fullmatch(r"\d{1,18}", raw):
        return int(raw)
    errors[name] = _("Enter a whole number (got %(got)r).") % {"got": raw[:40]}
    return None


def parse_question(params) -> Question:
    """A Question from a QueryDict or a dict of GET parameters; QuestionError names each bad
    parameter. Unknown parameter names are ignored."""
    errors: dict[str, str] = {}
    start = _date(_one(params, "start"), "start", errors)
    end = _date(_one(params, "end"), "end", errors)
    if start and end and end < start:
        errors["end"] = _("The end (%(end)s) is before the start (%(start)s).") % {
            "end": end,
            "start": start,
        }

    area_code = _one(params, "area")
    area = None
    if area_code is not None:
        # A NUL is never in a P-code, and PostgreSQL refuses it in a text comparison.
        if "\x00" not in area_code and len(area_code) <= 64:
            area = Place.objects.filter(pcode=area_code).only("pcode", "admin_level").first()
        if area is None:
            errors["area"] = _("Unknown area code %(code)r.") % {"code": area_code[:40]}

    asked = [m.strip() for raw in _values(params, "metric") for m in raw.split(",") if m.strip()]
    unknown = [m for m in asked if m not in Metric.values]
    if unknown:
        errors["metric"] = _("Unknown metric %(value)r; choose from %(choices)s.") % {
            "value": unknown[0][:40],
            "choices": ", ".join(Metric.values),
        }
    metrics = tuple(m for m in Metric.values if m in asked)

    cause = _one(params, "cause")
    if cause is not None and cause not in Cause.values:
        errors["cause"] = _("Unknown cause %(value)r; choose from %(choices)s.") % {
            "value": cause[:40],
            "choices": ", ".join(Cause.values),
        }
    source_type = _one(params, "source_type")
    if source_type is not None and source_type not in SourceType.values:
        errors["source_type"] = _("Unknown source type %(value)r; choose from %(choices)s.") % {
            "value": source_type[:40],
            "choices": ", ".join(SourceType.values),
        }
    tag = _one(params, "tag")
    if tag is not None and len(tag) > MAX_TAG:
        errors["tag"] = _("At most %(n)s characters.") % {"n": MAX_TAG}
    elif tag is not None and "\x00" in tag:
        errors["tag"] = _("A tag cannot contain a NUL character.")

    perpetrator = read_perpetrator(_one(params, "perpetrator"), errors)

    event = _integer(_one(params, "event"), "event", errors)
    if event is not None and not selectors.public_events().filter(pk=event).exists():
        errors["event"] = _("There is no event #%(event)s.") % {"event": event}

    level = _integer(_one(params, "level"), "level", errors)
    if level is not None:
        lowest = (area.admin_level + 1) if area else AdminLevel.STATE
        if level not in AdminLevel.values or level < lowest:
            names = ", ".join(f"{v} ({label})" for v, label in AdminLevel.choices if v >= lowest)
            errors["level"] = (
                _("Choose a level below the area: %(levels)s.") % {"levels": names}
                if names
                else _("This area has no admin level below it.")
            )

    period = _one(params, "period")
    if period is not None and period not in PERIODS:
        errors["period"] = _("Unknown period %(value)r; choose from %(choices)s.") % {
            "value": period[:40],
            "choices": ", ".join(PERIODS),
        }

    destination, by = _destination_params(params, errors)
    if errors:
        raise QuestionError(errors)
    return Question(
        destination=destination,
        by=by,
        start=start,
        end=end,
        area=area.pcode if area else None,
        metrics=metrics,
        cause=cause,
        tag=" ".join(tag.split()) if tag else None,
        source_type=source_type,
        event=event,
        perpetrator=perpetrator,
        level=level,
        period=period,
    )


def read_perpetrator(raw: str | None, errors: dict[str, str]) -> str | None:
    """A party's slug (or its id, read as its slug), "unknown" or "none" (not stated);
    errors["perpetrator"] else."""
    from ..models import NOT_STATED, UNKNOWN, Party

    if raw is None or raw in (UNKNOWN, NOT_STATED):
        return raw
    party = None
    if "\x00" not in raw and len(raw) <= 60:
        by_id = raw.isascii() and raw.isdigit()
        found = Party.objects.filter(pk=int(raw)) if by_id else Party.objects.filter(slug=raw)
        party = found.only("slug").first()
    if party is None:
        errors["perpetrator"] = _(
            "Unknown party %(value)r; give a party's slug (see /api/v1/parties/), %(unknown)r "
            "or %(none)r (not stated)."
        ) % {"value": raw[:40], "unknown": UNKNOWN, "none": NOT_STATED}
        return None
    return party.slug


def _destination_params(params, errors) -> tuple[str | None, str | None]:
    """The host-communities parameters: `destination` (a P-code, or "none") and `by`."""
    destination = _one(params, "destination")
    if destination is not None and destination != NO_DESTINATION:
        known = (
            "\x00" not in destination
            and len(destination) <= 64
            and Place.objects.filter(pcode=destination).exists()
        )
        if not known:
            errors["destination"] = _(
                "Unknown destination %(value)r: give a P-code, or %(none)r for figures that "
                "do not say where people went."
            ) % {"value": destination[:40], "none": NO_DESTINATION}
    by = _one(params, "by")
    if by is not None and by not in ("origin", BY_DESTINATION):
        errors["by"] = _("Unknown breakdown %(value)r; choose origin or %(destination)s.") % {
            "value": by[:40],
            "destination": BY_DESTINATION,
        }
    return destination, (BY_DESTINATION if by == BY_DESTINATION else None)


def question_params(question: Question) -> dict[str, str | list[str]]:
    """The GET parameters that parse back into `question` (defaults left out), for links."""
    params: dict[str, str | list[str]] = {}
    for name in ("start", "end"):
        value = getattr(question, name)
        if value is not None:
            params[name] = value.isoformat()
    if question.area:
        params["area"] = question.area
    if question.metrics:
        params["metric"] = list(question.metrics)
    for name in (
        "cause",
        "tag",
        "source_type",
        "event",
        "perpetrator",
        "level",
        "period",
        "destination",
        "by",
    ):
        value = getattr(question, name)
        if value not in (None, ""):
            params[name] = str(value)
    return params


# --- calendar periods --------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def next_year(day: date) -> date:
    return date(day.year + 1, 1, 1)


def period_start(day: date, period: str) -> date:
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def period_end(day: date, period: str) -> date:
    """The last day of the period containing `day`."""
    start = period_start(day, period)
    if period == "week":
        return start + timedelta(days=6)
    if period == "month":
        return next_month(start) - timedelta(days=1)
    if period == "quarter":
        return next_month(next_month(next_month(start))) - timedelta(days=1)
    return date(start.year, 12, 31)


def period_label(start: date, period: str) -> str:
    if period == "week":
        year, week, _weekday = start.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{MONTH_NAMES[start.month - 1]} {start.year}"
    if period == "quarter":
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def auto_period(start: date, end: date) -> str:
    span = (end - start).days + 1
    for longest, period in AUTO_PERIOD:
        if span <= longest:
            return period
    return "year"


def period_count(start: date, end: date, period: str) -> int:
    """How many rows periods_between(start, end, period) has, without making them."""
    if period == "week":
        return (period_start(end, period) - period_start(start, period)).days // 7 + 1
    months = (end.year - start.year) * 12 + end.month - start.month
    if period == "month":
        return months + 1
    if period == "quarter":
        return (end.year * 4 + (end.month - 1) // 3) - (start.year * 4 + (start.month - 1) // 3) + 1
    return end.year - start.year + 1


def periods_between(start: date, end: date, period: str) -> list[tuple[date, date, str]]:
    """(first day, last day, label) of each period from start to end, the first and last
    clipped to the question's own dates."""
    rows = []
    day = period_start(start, period)
    while day <= end:
        last = period_end(day, period)
        rows.append((max(day, start), min(last, end), period_label(day, period)))
        day = last + timedelta(days=1)
    return rows


@dataclass(frozen=True)
class Plan:
    """A question made concrete: the area's place, the metrics, the dates, the breakdown."""

    question: Question
    area: Place | None
    metrics: tuple[str, ...]
    start: date | None
    end: date
    level: int | None  # None: no breakdown by area (the area is at the finest level)
    destination: Place | None = None  # the question's destination place (not "none")

    @property
    def area_id(self) -> int | None:
        return self.area.pk if self.area else None


def make_plan(question: Question) -> Plan:
    """Check a Question built in code as parse_question checks parameters."""
    errors = {}
    area = None
    if question.area:
        area = Place.objects.filter(pcode=question.area).first()
        if area is None:
            errors["area"] = _("Unknown area code %(code)r.") % {"code": question.area[:40]}
    unknown = [m for m in question.metrics if m not in Metric.values]
    if unknown:
        errors["metric"] = _("Unknown metric %(value)r; choose from %(choices)s.") % {
            "value": unknown[0][:40],
            "choices": ", ".join(Metric.values),
        }
    metrics = tuple(m for m in Metric.values if m in question.metrics) or tuple(Metric.values)
    end = question.end or today()
    if question.start and question.start > end:
        errors["end"] = _("The end (%(end)s) is before the start (%(start)s).") % {
            "end": end,
            "start": question.start,
        }
    if question.period is not None and question.period not in PERIODS:
        errors["period"] = _("Unknown period %(value)r; choose from %(choices)s.") % {
            "value": question.period[:40],
            "choices": ", ".join(PERIODS),
        }
    elif question.start and question.start <= end:
        period = question.period or auto_period(question.start, end)
        if period_count(question.start, end, period) > MAX_PERIODS:
            errors["period" if question.period else "start"] = _(
                "A time series has at most %(max)s periods: from %(start)s to %(end)s is more "
                "%(period)ss than that. Choose a longer period or a later start."
            ) % {"max": f"{MAX_PERIODS:,}", "start": question.start, "end": end, "period": period}
    lowest = area.admin_level + 1 if area else AdminLevel.STATE
    level = question.level if question.level is not None else lowest
    if question.level is not None and (level not in AdminLevel.values or level < lowest):
        names = ", ".join(f"{v} ({label})" for v, label in AdminLevel.choices if v >= lowest)
        errors["level"] = (
            _("Choose a level below the area: %(levels)s.") % {"levels": names}
            if names
            else _("This area has no admin level below it.")
        )
    if question.perpetrator is not None:
        # A party named by its id is read as its slug, as parse_question reads it.
        perpetrator = read_perpetrator(question.perpetrator, errors)
        if perpetrator is not None and perpetrator != question.perpetrator:
            question = replace(question, perpetrator=perpetrator)
    destination = None
    if question.destination not in (None, NO_DESTINATION):
        destination = Place.objects.filter(pcode=question.destination).first()
        if destination is None:
            errors["destination"] = _(
                "Unknown destination %(value)r: give a P-code, or %(none)r for figures that "
                "do not say where people went."
            ) % {"value": question.destination[:40], "none": NO_DESTINATION}
    if question.by not in (None, BY_DESTINATION):
        errors["by"] = _("Unknown breakdown %(value)r; choose origin or %(destination)s.") % {
            "value": question.by[:40],
            "destination": BY_DESTINATION,
        }
    if errors:
        raise QuestionError(errors)
    if level not in AdminLevel.values:
        level = None
    return Plan(question, area, metrics, question.start, end, level, destination)
