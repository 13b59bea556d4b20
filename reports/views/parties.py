"""The moderators' list of parties to the conflict (/moderation/parties/): what a report's
alleged perpetrator and a source's issuing party are chosen from."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext

from reports import services
from reports.forms.parties import PartyForm
from reports.models import Party, Report
from reports.views.moderation import moderator_required


def _apply(error: ValidationError, form: PartyForm) -> None:
    for field, errors in error.message_dict.items():
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@moderator_required
def parties(request):
    """The list, and the form adding a party (POST here)."""
    form = PartyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                party = services.party_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply(exc, form)
            else:
                messages.success(request, gettext("Added %(party)s.") % {"party": party})
                return redirect("moderation:parties")
        status = 400
    listed = Party.objects.annotate(
        alleged=Count("reports", distinct=True),
        issued=Count("statements", distinct=True),
    )
    unknown = Report.objects.filter(perpetrator_unknown=True).count()
    context = {"parties": listed, "form": form, "unknown": unknown}
    return render(request, "reports/moderation/parties.html", context, status=status)


@moderator_required
def party_edit(request, pk: int):
    party = get_object_or_404(Party, pk=pk)
    initial = {f: getattr(party, f) for f in services.PARTY_FIELDS}
    form = PartyForm(request.POST or None, initial=initial, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.party_update(actor=request.user, party=party, **form.cleaned_data)
            except ValidationError as exc:
                _apply(exc, form)
            else:
                messages.success(request, gettext("Saved %(party)s.") % {"party": party})
                return redirect("moderation:parties")
        status = 400
    history = party.history.select_related("history_user").order_by("-history_date")[:20]
    context = {"party": party, "form": form, "history": history}
    return render(request, "reports/moderation/party_form.html", context, status=status)
