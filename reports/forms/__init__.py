"""The web forms: the report form (report.py), the moderators' forms (moderation.py) and the
moderation queue's filters (queue.py)."""

from .report import (
    DECIMAL,
    NUMBER,
    FigureForm,
    FigureFormSet,
    PlainForm,
    ReportForm,
    SourceForm,
    SourceFormSet,
    apply_service_errors,
    new_submission_key,
    zawgyi_fields,
)

__all__ = [
    "DECIMAL",
    "NUMBER",
    "FigureForm",
    "FigureFormSet",
    "PlainForm",
    "ReportForm",
    "SourceForm",
    "SourceFormSet",
    "apply_service_errors",
    "new_submission_key",
    "zawgyi_fields",
]
