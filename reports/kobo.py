"""How a KoboToolbox form's answers become a draft report: the mapping a moderator sets per
form, checked, and applied to a submission (docs/kobo.md)."""

import json

from django.core.exceptions import ValidationError

from gazetteer.models import Place

from .dates import read_day
from .models import KoboForm
from .validation import shortened
from .vocabulary import DESTINATION_METRICS, Cause, Metric

# Report fields a form's mapping may fill, each from one Kobo field path.
TEXT_FIELDS = (
    "title",
    "place_pcode",
    "start_date",
    "end_date",
    "cause",
    "public_summary",
    "perpetrator",
)
REQUIRED = ("title", "place_pcode", "start_date")
MAPPING_KEYS = (*TEXT_FIELDS, "internal_notes", "geolocation", "figures", "tags")
QUALIFIERS = ("exact", "approximately", "at_least", "at_most")


def clean_mapping(mapping) -> dict:
    """Check a form's mapping; ValidationError names every problem at once. Shape:
    {"title": "<kobo path>", "place_pcode": "<path>", "start_date": "<path>", "end_date": ...,
     "cause": ..., "perpetrator": ..., "public_summary": ..., "internal_notes": ...,
     "geolocation": true,
     "figures": {"<metric>": "<path>" | {"path": "<path>", "qualifier": "approximately"}},
     "tags": ["<constant tag>", ...]}"""
    if not isinstance(mapping, dict):
        raise ValidationError('The mapping must be a JSON object, e.g. {"title": "group/title"}.')
    problems = []
    for key in sorted(set(mapping) - set(MAPPING_KEYS)):
        problems.append(f"Unknown key {key!r}; the keys are: {', '.join(MAPPING_KEYS)}.")
    for key in REQUIRED:
        if key not in mapping:
            problems.append(f"{key!r} is required: which Kobo field holds it?")
    for key in (*TEXT_FIELDS, "internal_notes"):
        if key in mapping and (not isinstance(mapping[key], str) or not mapping[key].strip()):
            problems.append(f'{key!r} must be a Kobo field path such as "group_event/{key}".')
    if "geolocation" in mapping and not isinstance(mapping["geolocation"], bool):
        problems.append("'geolocation' must be true or false (use Kobo's _geolocation).")
    figures = mapping.get("figures", {})
    if not isinstance(figures, dict):
        problems.append("'figures' must map a metric to a Kobo field path.")
        figures = {}
    for metric, target in figures.items():
        if metric not in Metric.values:
            problems.append(
                f"Unknown metric {metric!r}; the metrics are: {', '.join(Metric.values)}."
            )
        path = target.get("path") if isinstance(target, dict) else target
        if not isinstance(path, str) or not path.strip():
            problems.append(f"The figure for {metric!r} needs a Kobo field path.")
        if isinstance(target, dict):
            if set(target) - {"path", "qualifier", "destination"}:
                problems.append(
                    f"The figure for {metric!r} takes only 'path', 'qualifier' and 'destination'."
                )
            problems += _destination_problems(metric, target)
            if target.get("qualifier", "exact") not in QUALIFIERS:
                problems.append(
                    f"The figure for {metric!r} has an unknown qualifier; use one of "
                    f"{', '.join(QUALIFIERS)}."
                )
    tags = mapping.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append("'tags' must be a list of words, e.g. [\"Kobo\"].")
    if problems:
        raise ValidationError(problems)
    return mapping


def _destination_problems(metric, target: dict) -> list[str]:
    """A figure's "destination": the Kobo field holding the P-code of where people went,
    for displacement figures only (vocabulary.DESTINATION_METRICS)."""
    if "destination" not in target:
        return []
    path = target["destination"]
    if not isinstance(path, str) or not path.strip():
        return [f"The destination of the figure for {metric!r} must be a Kobo field path."]
    if metric in Metric.values and metric not in DESTINATION_METRICS:
        allowed = ", ".join(sorted(DESTINATION_METRICS))
        return [f"Only the figures for {allowed} can have a destination, not {metric!r}."]
    return []


def _value(payload: dict, path: str):
    """A Kobo field by its full path ("group_event/place_pcode"); Kobo flattens groups into
    slash-separated keys, but an export may nest them, so both are read."""
    if path in payload:
        return payload[path]
    node = payload
    for part in path.split("/"):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _date(raw) -> str | None:
    """Kobo's date ("2023-11-11") or datetime ("2023-11-11T08:21:07.000+06:30") as a date."""
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    # A datetime's own date, before its time and zone (the day the enumerator meant); the
    # date itself is read as every other way in reads one (reports.dates.read_day).
    day, _sep, time = text.partition("T")
    try:
        if time and not time[:1].isdigit():
            raise ValueError(text)
        return read_day(day).isoformat()
    except ValueError:
        return text  # the service says "Enter a date as YYYY-MM-DD."


class Unmappable(Exception):
    pass


def map_submission(mapping: dict, payload: dict) -> dict:
    """The report_save arguments a submission stands for; Unmappable says why there are none."""
    problems = []
    fields = {}
    for key in ("title", "public_summary", "internal_notes"):
        if key in mapping:
            fields[key] = (
                "" if _value(payload, mapping[key]) is None else str(_value(payload, mapping[key]))
            )
    pcode = _value(payload, mapping["place_pcode"])
    place = Place.objects.filter(pcode=str(pcode).strip()).first() if pcode else None
    if place is None:
        problems.append(
            f"Unknown P-code {shortened(str(pcode))!r} in {mapping['place_pcode']!r}."
            if pcode
            else f"No P-code in {mapping['place_pcode']!r}."
        )
    fields["place"] = place
    fields["start_date"] = _date(_value(payload, mapping["start_date"]))
    if "end_date" in mapping:
        fields["end_date"] = _date(_value(payload, mapping["end_date"]))
    if "cause" in mapping:
        cause = _value(payload, mapping["cause"]) or ""
        if cause and cause not in Cause.values:
            problems.append(f"Unknown cause {cause!r} in {mapping['cause']!r}.")
        else:
            fields["cause"] = cause
    if "perpetrator" in mapping:
        _map_perpetrator(mapping["perpetrator"], payload, fields, problems)
    if mapping.get("geolocation"):
        point = payload.get("_geolocation")
        if isinstance(point, list) and len(point) == 2 and None not in point:
            fields["latitude"], fields["longitude"] = point
            fields["location_precision"] = "approximate"
    figures, paths = [], {}
    wanted = mapping.get("figures", {})
    # In the vocabulary's order, so that "Figure N" means the same whatever the database
    # does to the order of a JSON object's keys.
    for metric in (m for m in Metric.values if m in wanted):
        target = wanted[metric]
        path = target["path"] if isinstance(target, dict) else target
        qualifier = target.get("qualifier", "exact") if isinstance(target, dict) else "exact"
        raw = _value(payload, path)
        if raw in (None, ""):
            continue
        figures.append({"metric": metric, "qualifier": qualifier, "value": raw})
        paths[f"figures.{len(figures)}"] = path
        if isinstance(target, dict) and "destination" in target:
            destination = _value(payload, target["destination"])
            figures[-1]["destination"] = "" if destination is None else str(destination).strip()
            paths[f"figures.{len(figures)}.destination"] = target["destination"]
    for key in (
        "title",
        "start_date",
        "end_date",
        "public_summary",
        "internal_notes",
        "cause",
        "perpetrator",
    ):
        if key in mapping:
            paths[key] = mapping[key]
    if problems:
        raise Unmappable(" ".join(problems))
    return {"fields": fields, "figures": figures, "tags": mapping.get("tags", []), "paths": paths}


def _map_perpetrator(path: str, payload: dict, fields: dict, problems: list[str]) -> None:
    """The alleged perpetrator from a select_one whose choice names are the parties' slugs
    (GET /api/v1/parties/), "unknown", or left blank (not stated)."""
    from .models import UNKNOWN, Party

    chosen = str(_value(payload, path) or "").strip()
    if chosen and chosen != UNKNOWN and not Party.objects.filter(slug=chosen[:60]).exists():
        problems.append(
            f"Unknown party {chosen[:60]!r} in {path!r}: use a party's slug or {UNKNOWN!r}."
        )
    else:
        fields["perpetrator"] = chosen


def unmapped_reason(exc: ValidationError, paths: dict) -> str:
    """The service's messages, each led by the Kobo field it is about."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for field, messages in exc.message_dict.items():
        where = paths.get(field) or paths.get(field.rsplit(".", 1)[0]) or field
        parts.append(f"{where}: {' '.join(messages)}")
    return " ".join(parts)


def payload_summary(payload: dict) -> dict:
    submitted = str(payload.get("_submission_time") or "")[:40]
    kobo_id = payload.get("_id")
    return {
        "kobo_id": kobo_id
        if isinstance(kobo_id, int) and not isinstance(kobo_id, bool) and 0 <= kobo_id < 2**63
        else None,
        "submitted_at": submitted,
    }


# (where Kobo puts it in a submission, the KoboForm field that says what it must be)
IDENTITY = (("_xform_id_string", "kobo_asset_uid"), ("formhub/uuid", "kobo_form_uuid"))


def kobo_ids(payload: dict) -> dict[str, str]:
    """The Kobo form a submission says it is from, by its ids ("" where it has none)."""
    return {path: str(_value(payload, path) or "").strip()[:100] for path, _ in IDENTITY}


def other_form(form: KoboForm, payload: dict) -> str:
    """Why a submission is not from the Kobo form this link was made for ("" if it is, or if
    the form's Kobo ids are blank): a link pasted into another project's REST Services must
    not turn that project's submissions into reports through this form's mapping."""
    problems, found = [], kobo_ids(payload)
    for path, field in IDENTITY:
        expected = getattr(form, field)
        if not expected or found[path] == expected:
            continue
        if found[path]:
            problems.append(f"its {path} is {found[path]!r}, not {expected!r}")
        else:
            problems.append(f"it has no {path} (expected {expected!r})")
    if not problems:
        return ""
    return (
        f"Not from the Kobo form {form.name!r}: {'; '.join(problems)}. Check which Kobo "
        "project's REST Services use this link; if the form itself changed, correct its Kobo "
        "ids and map the submission again."
    )


def pretty(payload) -> str:
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)
