"""Pure rules for one figure, no database: its validation and its low/best/high count
(docs/counting.md, "One figure's numbers")."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .vocabulary import (
    DESTINATION_METRICS,
    SUBJECT,
    UNITS_FOR_SUBJECT,
    Metric,
    Qualifier,
    Subject,
    Unit,
)

MAX_VALUE = 100_000_000  # more people than live in Myanmar: certainly a typing error
MAX_HOUSEHOLD_SIZE = Decimal("30")
# A whole number typed as text: digits (Latin or Burmese), or grouped by threes with commas as
# people write them ("35,000", "၃၅,၀၀၀"). Any other comma ("35,00", "3,50,000", "0,035"), a
# point, a space or an underscore inside it is refused, not guessed at.
DIGITS = re.compile(r"[+-]?\d+")
THOUSANDS = re.compile(r"[+-]?(?![0၀])\d{1,3}(,\d{3})+")
BREAKDOWN_FIELDS = ("women", "men", "girls", "boys")


def counts(*, qualifier, value, value_min, value_max, unit, household_size):
    """(low, best, high). Incomplete input gives Nones, which the database's NOT NULL and
    check constraints then refuse: validation (clean_figure) is the place for messages."""
    if qualifier == Qualifier.RANGE:
        if value_min is None or value_max is None:
            return None, None, None
        low, high = value_min, value_max
        best = (low + high) // 2
    elif qualifier == Qualifier.AT_MOST:  # "at most 50": none at all is what it allows least
        low, best, high = (None, None, None) if value is None else (0, value, value)
    else:
        low = best = high = value
    if low is not None and unit == Unit.HOUSEHOLDS and household_size is not None:
        size = Decimal(household_size)
        low, best, high = (
            int((Decimal(n) * size).quantize(Decimal(1), rounding=ROUND_HALF_UP))
            for n in (low, best, high)
        )
    return low, best, high


def describe(figure) -> str:
    """ "at least 40,000 people", "1,200-1,500 households (x 4.4)"."""

    def show(n):
        return "?" if n is None else f"{n:,}"

    if figure.qualifier == Qualifier.RANGE:
        number = f"{show(figure.value_min)}-{show(figure.value_max)}"
    else:
        prefix = {
            Qualifier.EXACT: "",
            Qualifier.APPROXIMATELY: "approximately ",
            Qualifier.AT_LEAST: "at least ",
            Qualifier.AT_MOST: "at most ",
        }.get(figure.qualifier, "")
        number = f"{prefix}{show(figure.value)}"
    unit = Unit(figure.unit).label.lower() if figure.unit in Unit.values else figure.unit
    if figure.unit == Unit.HOUSEHOLDS:
        unit += f" (x {figure.household_size})"
    return f"{number} {unit}"


def text(raw) -> str:
    """Typed text, trimmed; whatever type arrived (an API client may send a number)."""
    return "" if raw is None else str(raw).strip()


def _whole_number(raw, field, errors):
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if THOUSANDS.fullmatch(raw):
            raw = raw.replace(",", "")
        elif not DIGITS.fullmatch(raw):
            errors[field] = _("Enter a whole number.")
            return None
    try:
        number = int(raw)
    except (TypeError, ValueError, OverflowError):
        errors[field] = _("Enter a whole number.")
        return None
    if isinstance(raw, float) and raw != number:
        errors[field] = _("Enter a whole number.")
        return None
    if number < 0:
        errors[field] = _("Cannot be negative.")
    elif number > MAX_VALUE:
        errors[field] = _("Cannot be more than %(max)s.") % {"max": f"{MAX_VALUE:,}"}
    return number


def whole_number(raw) -> int | None:
    """One whole number as typed (None for nothing), read by the rules clean_figure() reads
    every figure's numbers by; ValidationError with the same words otherwise. For forms that
    check a number before a figure is made of it (the intake's candidate rows, the admin)."""
    errors: dict[str, str] = {}
    number = _whole_number(raw, "number", errors)
    if errors:
        raise ValidationError(errors["number"])
    return number


def clean_figure(data: dict) -> dict:
    """Validate one figure's input and return the cleaned values, or raise ValidationError
    keyed by field name. Nothing is stored here."""
    errors: dict[str, str] = {}
    metric = data.get("metric")
    if metric not in Metric.values:
        errors["metric"] = _("Unknown metric %(value)r; choose one of: %(choices)s.") % {
            "value": metric if not isinstance(metric, str) else metric[:40],
            "choices": ", ".join(Metric.values),
        }
    qualifier = data.get("qualifier") or Qualifier.EXACT
    if qualifier not in Qualifier.values:
        errors["qualifier"] = _("Unknown qualifier %(value)r.") % {"value": qualifier}
    unit = data.get("unit") or (
        Unit.STRUCTURES
        if metric in Metric.values and SUBJECT[metric] == Subject.STRUCTURES
        else Unit.PEOPLE
    )
    if unit not in Unit.values:
        errors["unit"] = _("Unknown unit %(value)r.") % {"value": unit}
    elif metric in Metric.values and unit not in UNITS_FOR_SUBJECT[SUBJECT[metric]]:
        errors["unit"] = _("%(metric)s cannot be counted in %(unit)s.") % {
            "metric": Metric(metric).label,
            "unit": str(Unit(unit).label).lower(),
        }

    value = _whole_number(data.get("value"), "value", errors)
    value_min = _whole_number(data.get("value_min"), "value_min", errors)
    value_max = _whole_number(data.get("value_max"), "value_max", errors)
    if qualifier == Qualifier.RANGE:
        if value_min is None and "value_min" not in errors:
            errors["value_min"] = _("A range needs a minimum.")
        if value_max is None and "value_max" not in errors:
            errors["value_max"] = _("A range needs a maximum.")
        if value_min is not None and value_max is not None and value_min > value_max:
            errors["value_min"] = _(
                "The minimum (%(minimum)s) is greater than the maximum (%(maximum)s)."
            ) % {"minimum": f"{value_min:,}", "maximum": f"{value_max:,}"}
        if value is not None:  # never dropped without a word: which did the source say?
            errors["value"] = _(
                "A range is its minimum and maximum: leave the single number empty, or choose "
                "another qualifier."
            )
        value = None
    elif qualifier in Qualifier.values:
        if value is None and "value" not in errors:
            errors["value"] = _("Enter the number reported (or choose a range).")
        for field, given in (("value_min", value_min), ("value_max", value_max)):
            if given is not None:
                errors[field] = _(
                    "Only a range has a minimum and a maximum: leave them empty, or choose "
                    "“Between (range)”."
                )
        value_min = value_max = None

    household_size = data.get("household_size")
    if household_size in (None, ""):
        household_size = None
        if unit == Unit.HOUSEHOLDS:
            errors["household_size"] = _("A figure in households needs the people per household.")
    else:
        try:
            household_size = Decimal(str(household_size).strip())
        except InvalidOperation:
            household_size = None
        if household_size is None or not household_size.is_finite():
            errors["household_size"] = _("Enter a number such as 4.4.")
        else:
            if not Decimal(0) < household_size <= MAX_HOUSEHOLD_SIZE:
                errors["household_size"] = _("Must be above 0 and at most %(max)s.") % {
                    "max": MAX_HOUSEHOLD_SIZE
                }
            elif household_size.as_tuple().exponent < -2:
                errors["household_size"] = _("Use at most two decimal places.")
        if unit != Unit.HOUSEHOLDS:
            household_size = None

    breakdown = {f: _whole_number(data.get(f), f, errors) for f in BREAKDOWN_FIELDS}
    if any(n is not None for n in breakdown.values()):
        if metric in Metric.values and SUBJECT[metric] != Subject.PEOPLE:
            errors["women"] = _("A sex and age breakdown is only for figures about people.")
        elif unit == Unit.PEOPLE and not errors:
            ceiling = value_max if qualifier == Qualifier.RANGE else value
            if (
                qualifier != Qualifier.AT_LEAST
                and sum(n or 0 for n in breakdown.values()) > ceiling
            ):
                errors["women"] = _(
                    "Women, men, girls and boys add up to more than the figure (%(figure)s)."
                ) % {"figure": f"{ceiling:,}"}

    note = text(data.get("note"))
    if len(note) > 500:
        errors["note"] = _("At most %(n)s characters.") % {"n": 500}
    destination = data.get("destination") or None
    refused = destination_refused(metric, destination)
    if refused:
        errors["destination"] = refused
    if errors:
        raise ValidationError(errors)
    return {
        "metric": metric,
        "qualifier": qualifier,
        "value": value,
        "value_min": value_min,
        "value_max": value_max,
        "unit": unit,
        "household_size": household_size,
        "note": note,
        "destination": destination,
        **breakdown,
    }


def destination_refused(metric, destination) -> str | None:
    """Why a figure of `metric` cannot have this destination (a gazetteer place, already
    looked up), or None: only displacement figures say where people went."""
    if destination is None or metric not in Metric.values or metric in DESTINATION_METRICS:
        return None
    allowed = _(" or ").join(str(Metric(m).label).lower() for m in sorted(DESTINATION_METRICS))
    return _(
        "Only figures of %(allowed)s can say where people went; %(metric)s cannot have a "
        "destination."
    ) % {"allowed": allowed, "metric": str(Metric(metric).label).lower()}
