"""The moderators' forms. Each carries the version of the report as the moderator saw it, so
a decision taken on a stale page is refused rather than applied over someone else's."""

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.models import Event, Figure, Report
from reports.services import MAX_NOTES, MAX_REASON

MAX_BULK = 100


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, report=None, **kwargs):
        self.report = report
        if report is not None:
            kwargs.setdefault("initial", {})["version"] = report.version
        super().__init__(*args, **kwargs)


def _note(label, required_message=None, rows=3):
    field = forms.CharField(
        label=label,
        required=required_message is not None,
        max_length=MAX_NOTES,
        widget=forms.Textarea(attrs={"rows": rows}),
    )
    if required_message:
        field.error_messages["required"] = required_message
    return field


class ApproveForm(ActionForm):
    note = _note(_("Note (optional; kept in the history and sent to the partner)"), rows=2)


class RejectForm(ActionForm):
    note = _note(_("Reason (sent to the partner)"), _("A reason is required."))


class RequestChangesForm(ActionForm):
    note = _note(_("What should the partner change?"), _("A message to the partner is required."))


class RetractForm(ActionForm):
    note = _note(
        _("Reason for retracting (it leaves public pages and totals)"), _("A reason is required.")
    )


class ReleasePointForm(ActionForm):
    pass


class UnlinkEventForm(ActionForm):
    pass


class LinkEventForm(ActionForm):
    # A text box, not the browser's number box: that one takes only Latin digits, and a
    # moderator may type the number in Burmese digits (int() reads those).
    event = forms.IntegerField(
        label=_("Event number"),
        min_value=1,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_event(self):
        number = self.cleaned_data["event"]
        event = Event.objects.filter(pk=number).first()
        if event is None:
            raise forms.ValidationError(
                gettext("There is no event #%(event)s.") % {"event": number}
            )
        return event


def parse_report_version(token: str) -> tuple[int, int]:
    """ "12:3" -> (report 12, version 3): how a checkbox or a choice names a report as seen."""
    match = re.fullmatch(r"([0-9]{1,18}):([0-9]{1,9})", str(token))
    if match is None:
        raise forms.ValidationError(
            gettext("Unrecognised report %(report)s: reload the page.")
            % {"report": repr(str(token)[:40])}
        )
    return int(match.group(1)), int(match.group(2))


class NewEventForm(ActionForm):
    name = forms.CharField(label=_("Name of the new event"), max_length=200)
    description = forms.CharField(
        label=_("Description (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_NOTES,
    )
    # A likely duplicate, as "id:version"; not a ChoiceField, so that a duplicate changed
    # since the page was drawn gets the services' conflict message, not "not a valid choice".
    also = forms.CharField(label=_("Also link"), required=False, widget=forms.Select)

    def __init__(self, *args, duplicates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["also"].widget.choices = [("", gettext("no other report"))] + [
            (f"{d.report.pk}:{d.report.version}", f"#{d.report.pk} {d.report.title}")
            for d in duplicates
        ]

    def clean_also(self):
        token = self.cleaned_data["also"]
        if not token:
            return None
        pk, version = parse_report_version(token)
        if self.report is not None and pk == self.report.pk:
            raise forms.ValidationError(gettext("Choose another report than this one."))
        report = Report.objects.filter(pk=pk).first()
        if report is None:
            raise forms.ValidationError(gettext("Report #%(pk)s does not exist.") % {"pk": pk})
        return report, version


class ReferenceFigureForm(forms.Form):
    figure = forms.IntegerField(widget=forms.HiddenInput)
    # The version of the figure's report, as shown on the page.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_figure(self):
        figure = Figure.objects.select_related("report").filter(pk=self.cleaned_data["figure"])
        if not figure:
            raise forms.ValidationError(gettext("That figure no longer exists: reload the page."))
        return figure.get()


class ReportVersionsField(forms.Field):
    """The ticked reports of the queue, each as "id:version"."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        pairs = dict(parse_report_version(token) for token in value)
        return list(pairs.items())

    def validate(self, value):
        if not value:
            raise forms.ValidationError(gettext("Tick at least one report."))
        if len(value) > MAX_BULK:
            raise forms.ValidationError(
                gettext("At most %(n)s reports at a time.") % {"n": MAX_BULK}
            )


class BulkDecisionForm(forms.Form):
    selected = ReportVersionsField()
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    note = _note(_("Reason (required to reject; sent to each partner)"), rows=2)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("note", "").strip():
            self.add_error("note", gettext("A reason is required to reject."))
        return data


# The largest id a database key holds: a bigger number typed into the page is "no such figure",
# not an overflow in the query.
MAX_ID = 2**63 - 1


class SeparateFiguresForm(forms.Form):
    """Mark (or unmark) one of this report's figures and another as counted separately. The
    figures are named by id; the service checks everything else (metric, approval, covering)."""

    figure = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    other = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    reason = forms.CharField(
        label=_("Reason (what the source says)"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("A reason is required: say what the source says.")},
    )

    def __init__(self, *args, report=None, **kwargs):
        self.report = report
        super().__init__(*args, **kwargs)

    def clean_figure(self):
        pk = self.cleaned_data["figure"]
        figure = Figure.objects.filter(pk=pk).first()
        if figure is None or (self.report is not None and figure.report_id != self.report.pk):
            raise forms.ValidationError(
                gettext("Figure #%(pk)s is not in this report: reload the page.") % {"pk": pk}
            )
        return figure

    def clean_other(self):
        pk = self.cleaned_data["other"]
        figure = Figure.objects.filter(pk=pk).first()
        if figure is None:
            raise forms.ValidationError(
                gettext("There is no figure #%(pk)s: reload the page.") % {"pk": pk}
            )
        return figure
