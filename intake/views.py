"""The moderator's intake screen (/moderation/intake/): paste or upload an article, see each
candidate figure highlighted in its text, correct or drop it, and create draft reports. Nothing
is stored until "Create drafts": the text and the candidates travel in the page, signed."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from intake.drafts import drafts_create
from intake.errors import IntakeInputError
from intake.extract import extract
from intake.forms import (
    CandidateRowFormSet,
    DraftsForm,
    IntakeForm,
    initial_rows,
    original_inline,
    original_of,
    read_payload,
    sign_payload,
)
from intake.reading import read_text
from reports import permissions, selectors
from reports.exceptions import ActionRefused
from reports.forms.report import perpetrator_choices
from reports.views.moderation import moderator_required


@moderator_required
def intake(request):
    """Step 1 (GET: the empty form; POST: read and extract, then show step 2)."""
    if request.method != "POST":
        return render(request, "intake/start.html", {"form": IntakeForm()})
    form = IntakeForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            payload = _extract(form.cleaned_data)
        except IntakeInputError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _result(request, payload, status=200)
    return render(request, "intake/start.html", {"form": form}, status=400)


def _extract(data: dict[str, Any]) -> dict[str, Any]:
    """Read the text and extract its candidates: the signed record step 2 carries."""
    source = read_text(
        text=data.get("text") or None, upload=data.get("upload"), url=data.get("url") or None
    )
    published = data.get("published") or source.published
    publisher = (data.get("publisher") or "").strip() or source.publisher or ""
    extraction = extract(
        source.text,
        published=published,
        language=data.get("language") or None,
        publisher=publisher or None,
    )
    original = source.original
    return {
        "key": uuid.uuid4().hex,
        "text": extraction.text,
        "language": extraction.language,
        "published": published.isoformat() if published else None,
        "publisher": publisher,
        "title": source.title or "",
        "url": data.get("url") or "",
        "kind": source.kind,
        "original": original_inline(original),
        "original_sha256": hashlib.sha256(original).hexdigest(),
        "original_name": source.original_name,
        "original_type": source.original_type,
        "candidates": [candidate.as_json() for candidate in extraction.candidates],
    }


def _result(request, payload, *, form=None, rows=None, status=200, error=None):
    """Step 2: the text with its figures marked, and one row per candidate."""
    candidates = payload["candidates"]
    initial = initial_rows(candidates, publisher=payload["publisher"])
    choices = perpetrator_choices()
    if rows is None:
        rows = CandidateRowFormSet(
            initial=initial, prefix="row", form_kwargs={"perpetrators": choices}
        )
    if form is None:
        own = permissions.organization_of(request.user)
        form = DraftsForm(
            initial={
                "payload": sign_payload(payload, user_id=request.user.pk),
                "organization": own,
                "source_name": payload["publisher"],
                "source_type": "news_media",
                "source_title": payload["title"],
                "source_url": payload["url"],
                "published": payload["published"],
            }
        )
    context = {
        "form": form,
        "rows": [
            {
                "form": row,
                "number": number,
                **initial[number - 1],
                **sentence_parts(payload["text"], candidates[number - 1]),
            }
            for number, row in enumerate(rows, start=1)
        ],
        "rows_have_errors": rows.is_bound and rows.total_error_count() > 0,
        "management_form": rows.management_form,
        "segments": marked_text(payload["text"], candidates),
        "language": payload["language"],
        "needs_original_again": payload.get("original") is None,
        "error": error,
    }
    return render(request, "intake/result.html", context, status=status)


def marked_text(text: str, candidates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into pieces, each figure's words a piece of its own with its row number
    (the template escapes every piece; nothing from the text is trusted as markup). A figure
    overlapping one already marked is left unmarked."""
    spans = sorted(
        (c.get("figure_start", 0), c.get("figure_end", 0), number)
        for number, c in enumerate(candidates, start=1)
    )
    pieces, at = [], 0
    for start, end, number in spans:
        if not (at <= start < end <= len(text)):
            continue
        if start > at:
            pieces.append({"text": text[at:start]})
        pieces.append(
            {
                "text": text[start:end],
                "row": number,
                "excluded": bool(candidates[number - 1].get("excluded_reason")),
            }
        )
        at = end
    if at < len(text):
        pieces.append({"text": text[at:]})
    return pieces


def sentence_parts(text: str, candidate: dict[str, Any]) -> dict[str, str]:
    """A candidate's sentence cut around its figure's words, for the row to show."""
    start, end = candidate.get("sentence_start", 0), candidate.get("sentence_end", 0)
    first, last = candidate.get("figure_start", 0), candidate.get("figure_end", 0)
    if 0 <= start <= first < last <= end <= len(text):
        return {"before": text[start:first], "figure": text[first:last], "after": text[last:end]}
    return {"before": candidate.get("sentence") or "", "figure": "", "after": ""}


@moderator_required
@require_POST
def drafts(request):
    """Step 2's "Create drafts": every accepted row validated, then all drafts or none."""
    try:
        payload = read_payload(request.POST.get("payload", ""), user_id=request.user.pk)
    except signing.BadSignature:
        messages.error(
            request,
            _("The screen was altered or is more than a day old: paste the text again."),
        )
        return redirect("moderation:intake")
    initial = initial_rows(payload["candidates"], publisher=payload["publisher"])
    form = DraftsForm(request.POST, request.FILES)
    rows = CandidateRowFormSet(
        request.POST,
        initial=initial,
        prefix="row",
        form_kwargs={"perpetrators": perpetrator_choices()},
    )
    if rows.total_form_count() != len(payload["candidates"]):
        # Rows added or removed by hand: the page no longer matches its extraction.
        messages.error(request, _("This form has expired or was altered: start again."))
        return redirect("moderation:intake")
    valid = form.is_valid()
    valid = rows.is_valid() and valid
    original = original_of(payload, request.FILES.get("original_again"))
    if original is None and "original_again" not in form.errors:
        form.add_error(
            "original_again",
            _("Choose the file you uploaded at the start; it is kept with the drafts."),
        )
        valid = False
    if not valid:
        return _result(request, payload, form=form, rows=rows, status=400)
    groups: dict[int, list] = {}
    for number, row in enumerate(rows.forms, start=1):
        if row.cleaned_data.get("accept"):
            figure = row.accepted_figure(number)
            groups.setdefault(row.cleaned_data["group"], []).append(figure)
    try:
        made = drafts_create(
            actor=request.user,
            source=form.article(payload["language"]),
            groups=[groups[n] for n in sorted(groups)],
            original=original,
            organization=form.cleaned_data["organization"],
            key=payload["key"],
        )
    except ValidationError as exc:
        error = _place_errors(exc, form, rows)
        return _result(request, payload, form=form, rows=rows, status=400, error=error)
    except ActionRefused as exc:
        return _result(request, payload, form=form, rows=rows, status=409, error=exc.message)
    ids = ",".join(str(report.pk) for report in made)
    return redirect(reverse("moderation:intake_done") + f"?reports={ids}")


# The services' names for a row's fields, where the screen names them otherwise.
ROW_FIELDS = {"value_min": "low", "value_max": "high", "source_source_type": "source_type"}


def _place_errors(exc: ValidationError, form, rows) -> str | None:
    """The service's errors beside the fields they name ("rows.3.value"); what names no
    field is returned to show above the form."""
    loose = []
    for key, problems in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] == "rows" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1]) - 1
            field = ROW_FIELDS.get(parts[2], parts[2])
            if 0 <= index < len(rows.forms) and field in rows.forms[index].fields:
                for problem in problems:
                    rows.forms[index].add_error(field, problem)
                continue
        elif key in form.fields and not form.fields[key].widget.is_hidden:
            for problem in problems:
                form.add_error(key, problem)
            continue
        loose.extend(problems)
    return " ".join(loose) or None


@moderator_required
@require_GET
def done(request):
    """The drafts just created, each linked to its review page."""
    wanted = [int(n) for n in request.GET.get("reports", "").split(",") if n.isdigit()][:200]
    reports = selectors.moderation_reports().filter(pk__in=wanted).order_by("pk")
    return render(request, "intake/done.html", {"reports": reports})
