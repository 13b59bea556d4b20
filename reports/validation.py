"""The cleaning of what people type into a report, its figures, tags and sources: one
message per field, raised as ValidationError before anything is written."""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from gazetteer.models import Place

from .dates import read_day
from .figures import clean_figure, text
from .vocabulary import Cause, DatePrecision, LocationPrecision, SourceType

# What a report's dates and coordinates may arrive as, from a form, the API or Kobo.
DateInput: TypeAlias = date | str | None
CoordinateInput: TypeAlias = Decimal | float | str | None

MAX_SUMMARY = 4000


MAX_NOTES = 10000


MAX_TAGS = 20


class ReportFields(TypedDict, total=False):
    """A report's own fields as the services take them (before cleaning)."""

    title: str
    start_date: DateInput
    end_date: DateInput
    date_precision: str
    place: Place | None
    latitude: CoordinateInput
    longitude: CoordinateInput
    location_precision: str
    public_summary: str
    internal_notes: str
    cause: str


REPORT_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "date_precision",
    "place",
    "latitude",
    "longitude",
    "location_precision",
    "public_summary",
    "internal_notes",
    "cause",
)


FIGURE_FIELDS = (
    "metric",
    "qualifier",
    "value",
    "value_min",
    "value_max",
    "unit",
    "household_size",
    "women",
    "men",
    "girls",
    "boys",
    "note",
    "destination",
)


# No report, source or context event is dated before this: the questions asked of the data
# begin there too (aggregates.question.EARLIEST_ASKED), and the pages count back from a date (a
# week before it, the period before it), which below the year 8 is no date at all.
EARLIEST_DAY = date(1900, 1, 1)


def shortened(value: str, limit: int = 40) -> str:
    """A value repeated in an error message, cut short: a P-code is a dozen characters, and a
    100,000-character one made a 100 KB answer."""
    return value if len(value) <= limit else value[:limit] + "…"


def _parse_date(raw: Any, field: str, errors: dict[str, str]) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        day = raw
    else:
        try:
            day = read_day(raw)
        except ValueError:
            errors[field] = _("Enter a date as YYYY-MM-DD.")
            return None
    if day < EARLIEST_DAY:
        errors[field] = _("Enter a date from 1 January 1900 on.")
        return None
    return day


def _parse_coordinate(raw: Any, field: str, bound: int, errors: dict[str, str]) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        number = Decimal(text(raw))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors[field] = _("Enter a number in decimal degrees.")
        return None
    if not -bound <= number <= bound:
        errors[field] = _("Must be between -%(bound)s and %(bound)s.") % {"bound": bound}
        return None
    return number.quantize(Decimal("0.000001"))


def clean_report_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a report's own fields (not figures or sources); raise ValidationError keyed by
    field. Missing keys take the model's defaults."""
    errors: dict[str, str] = {}
    title = text(data.get("title"))
    if not title:
        errors["title"] = _("Give the report a short title.")
    elif len(title) > 200:
        errors["title"] = _("At most %(n)s characters.") % {"n": 200}

    today = timezone.localdate()
    start = _parse_date(data.get("start_date"), "start_date", errors)
    end = _parse_date(data.get("end_date"), "end_date", errors)
    if start is None and "start_date" not in errors:
        errors["start_date"] = _("When did it happen? Enter at least the start date.")
    for field, day in (("start_date", start), ("end_date", end)):
        if day and day > today:
            errors[field] = _("Cannot be in the future.")
    if start and end and end < start and "end_date" not in errors:
        errors["end_date"] = _("The end date is before the start date.")
    precision = data.get("date_precision") or DatePrecision.DAY
    if not isinstance(precision, str) or precision not in DatePrecision.values:
        errors["date_precision"] = _("Unknown date precision %(value)r.") % {"value": precision}

    place = data.get("place")
    if not isinstance(place, Place):
        errors["place"] = _("Choose a place from the gazetteer.")

    latitude = _parse_coordinate(data.get("latitude"), "latitude", 90, errors)
    longitude = _parse_coordinate(data.get("longitude"), "longitude", 180, errors)
    location_precision = data.get("location_precision") or LocationPrecision.PLACE
    if (
        not isinstance(location_precision, str)
        or location_precision not in LocationPrecision.values
    ):
        errors["location_precision"] = _("Unknown location precision %(value)r.") % {
            "value": location_precision
        }
    if (latitude is None) != (longitude is None) and not errors.keys() & {"latitude", "longitude"}:
        errors["longitude" if latitude is not None else "latitude"] = _(
            "Give both latitude and longitude, or neither."
        )
    if latitude is None and longitude is None:
        location_precision = LocationPrecision.PLACE
    elif location_precision == LocationPrecision.PLACE:
        location_precision = LocationPrecision.EXACT

    summary = text(data.get("public_summary"))
    if len(summary) > MAX_SUMMARY:
        errors["public_summary"] = _("At most %(n)s characters.") % {"n": f"{MAX_SUMMARY:,}"}
    notes = text(data.get("internal_notes"))
    if len(notes) > MAX_NOTES:
        errors["internal_notes"] = _("At most %(n)s characters.") % {"n": f"{MAX_NOTES:,}"}
    cause = data.get("cause") or ""
    if cause and (not isinstance(cause, str) or cause not in Cause.values):
        errors["cause"] = _("Unknown cause or means %(value)r.") % {"value": cause}
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "start_date": start,
        "end_date": end,
        "date_precision": precision,
        "place": place,
        "latitude": latitude,
        "longitude": longitude,
        "location_precision": location_precision,
        "public_summary": summary,
        "internal_notes": notes,
        "cause": cause,
    }


def clean_tags(tags: Iterable[Any] | None) -> list[str]:
    names = sorted({" ".join(str(t).split()) for t in tags or () if str(t).strip()})
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)s tags.") % {"n": MAX_TAGS}})
    too_long = [n for n in names if len(n) > 100]
    if too_long:
        raise ValidationError(
            {"tags": _("Tag too long (100 characters at most): %(tag)r.") % {"tag": too_long[0]}}
        )
    return names


def _country_household_size(place: Any) -> Decimal | None:
    if not isinstance(place, Place):
        return None
    country = place.path.strip("/").split("/")[0]
    return (
        Place.objects.filter(pcode=country).values_list("default_household_size", flat=True).first()
    )


def clean_figures(
    figures: Iterable[dict[str, Any]] | None, *, place: Any = None
) -> list[dict[str, Any]]:
    """Validate every figure; errors are keyed "figures.N.field" and say "Figure N". A figure
    in households without a size takes the default of the place's country, and keeps it."""
    cleaned, errors = [], {}
    default_size = None
    if any(
        f.get("unit") == "households" and f.get("household_size") in (None, "")
        for f in figures or ()
    ):
        default_size = _country_household_size(place)
    for number, data in enumerate(figures or (), start=1):
        if (
            default_size is not None
            and data.get("unit") == "households"
            and data.get("household_size") in (None, "")
        ):
            data = {**data, "household_size": default_size}
        try:
            data = {**data, "destination": _destination_place(data.get("destination"))}
            figure = clean_figure(data)
            if data.get("id") is not None:  # which of the report's figures this row edits
                figure["id"] = data["id"]
            cleaned.append(figure)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors[f"figures.{number}.{field}"] = [
                    _("Figure %(number)s: %(message)s") % {"number": number, "message": m}
                    for m in messages
                ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _destination_place(given: Any) -> Place | None:
    """A figure's destination as given: a gazetteer Place, its P-code (the API, Kobo), or
    nothing; ValidationError keyed "destination" when the P-code is not in the gazetteer."""
    if given in (None, "") or isinstance(given, Place):
        return given or None
    code = text(given) if isinstance(given, str) else ""
    place = None
    if code and "\x00" not in code and len(code) <= 64:
        place = Place.objects.filter(pcode=code).first()
    if place is None:
        raise ValidationError(
            {"destination": _("Unknown destination place %(value)r.") % {"value": str(given)[:40]}}
        )
    return place


SOURCE_FIELDS = (
    "source_type",
    "name",
    "title",
    "url",
    "published_on",
    "language",
    "is_confidential",
)


def clean_source(
    *,
    source_type: str = "",
    name: str = "",
    title: str = "",
    url: str = "",
    published_on: Any = None,
    language: str = "",
    is_confidential: bool = False,
) -> dict[str, Any]:
    """A source's fields, cleaned, or ValidationError keyed by field."""
    errors = {}
    if source_type not in SourceType.values:
        errors["source_type"] = _("Unknown source type %(value)r.") % {"value": source_type}
    name = text(name)
    if not name:
        errors["name"] = _("Name the outlet, organisation or person.")
    elif len(name) > 200:
        errors["name"] = _("At most %(n)s characters.") % {"n": 200}
    title = text(title)
    if len(title) > 300:
        errors["title"] = _("At most %(n)s characters.") % {"n": 300}
    url = text(url)
    if url:
        if not url.lower().startswith(("http://", "https://")):
            errors["url"] = _("Enter a web address starting with http:// or https://.")
        elif len(url) > 1000:
            errors["url"] = _("At most %(n)s characters.") % {"n": "1,000"}
        else:
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                errors["url"] = _("Enter a valid web address, such as https://example.org/page.")
    published = _parse_date(published_on, "published_on", errors)
    if published and published > timezone.localdate():
        errors["published_on"] = _("Cannot be in the future.")
    language = text(language)
    if len(language) > 16:
        errors["language"] = _("At most 16 characters (a language code such as en or my).")
    if errors:
        raise ValidationError(errors)
    return {
        "source_type": source_type,
        "name": name,
        "title": title,
        "url": url,
        "published_on": published,
        "language": language,
        "is_confidential": bool(is_confidential),
    }


def clean_perpetrator(perpetrator: Any) -> tuple[Any, bool]:
    """The alleged perpetrator as a form, the API or Kobo gives it (a party's slug, a Party,
    "unknown", or "" / None for not stated) -> (party or None, unknown?), or ValidationError
    on "perpetrator"."""
    from .models import UNKNOWN, Party

    if isinstance(perpetrator, Party):
        return perpetrator, False
    code = text(perpetrator) if perpetrator is not None else ""
    if not code:
        return None, False
    if code == UNKNOWN:
        return None, True
    party = Party.objects.filter(slug=code).first() if len(code) <= 60 else None
    if party is None:
        raise ValidationError(
            {
                "perpetrator": _(
                    "Unknown party %(value)r: choose a party from the list moderators keep, "
                    "%(unknown)r, or leave it empty (not stated)."
                )
                % {"value": code[:60], "unknown": UNKNOWN}
            }
        )
    return party, False


def clean_perpetrator_sources(
    attributing: Iterable[Any], *, cited: Iterable[Any], stated: bool
) -> list[Any]:
    """The sources said to attribute the harm: each must be one of the report's sources
    (`cited`), and there are none when no perpetrator is stated; ValidationError on
    "perpetrator_sources" else."""
    chosen = list(dict.fromkeys(attributing))
    cited_ids = {source.pk for source in cited}
    outside = [source for source in chosen if source.pk not in cited_ids]
    if outside:
        raise ValidationError(
            {
                "perpetrator_sources": _(
                    "Source #%(id)s is not among the report's sources: only a source the "
                    "report cites can attribute the harm."
                )
                % {"id": outside[0].public_id}  # (the only id shown outside moderation)
            }
        )
    if chosen and not stated:
        raise ValidationError(
            {
                "perpetrator_sources": _(
                    "No alleged perpetrator is stated: choose the party (or “unknown”) these "
                    "sources name, or attribute nothing."
                )
            }
        )
    return chosen


def clean_source_party(party: Any, source_type: str) -> Any:
    """Which party issued a source (a Party, its slug, or ""/None for none): only a source of
    type "party to the conflict" has one; ValidationError on "party" else."""
    from .models import Party

    if isinstance(party, str):
        code = text(party)
        if not code:
            return None
        found = Party.objects.filter(slug=code).first() if len(code) <= 60 else None
        if found is None:
            raise ValidationError(
                {
                    "party": _("Unknown party %(value)r: choose one from the list moderators keep.")
                    % {"value": code[:60]}
                }
            )
        party = found
    if party is not None and source_type != SourceType.PARTY_TO_CONFLICT:
        raise ValidationError(
            {"party": _("Only a source of type “party to the conflict” is issued by a party.")}
        )
    return party
