"""Every write, a module per area: each service checks who may act, validates, writes in one
transaction with its history row, and queues background work after commit (docs/domain.md)."""

from ..validation import (
    FIGURE_FIELDS,
    MAX_NOTES,
    MAX_SUMMARY,
    MAX_TAGS,
    REPORT_FIELDS,
    SOURCE_FIELDS,
    clean_figures,
    clean_report_fields,
    clean_source,
    clean_source_party,
    clean_tags,
)
from ._shared import report_snapshot
from .context_events import (
    CONTEXT_EVENT_FIELDS,
    clean_context_event,
    context_event_create,
    context_event_delete,
    context_event_update,
)
from .data_version import data_version_bump
from .events import (
    event_create,
    event_create_linking,
    event_set_reference_figure,
    event_update,
    report_link_event,
)
from .moderation import (
    BULK_DECISIONS,
    Outcome,
    report_approve,
    report_reject,
    report_request_changes,
    report_retract,
    report_submit,
    reports_decide,
)
from .parties import PARTY_FIELDS, party_create, party_update
from .partners import (
    api_client_create,
    api_client_revoke,
    api_client_set_scopes,
    api_client_update,
    kobo_form_create,
    kobo_form_new_token,
    kobo_form_update,
    kobo_ingest,
)
from .places import Followed, places_follow_gazetteer_import, places_follow_renames
from .reports import (
    SUBMISSION_KEY,
    Saved,
    report_create,
    report_save,
    report_update,
)
from .separation import MAX_REASON, figures_mark_separate, figures_unmark_separate
from .sources import check_source_change, source_create, source_update, tag_update

__all__ = [
    "BULK_DECISIONS",
    "CONTEXT_EVENT_FIELDS",
    "FIGURE_FIELDS",
    "MAX_REASON",
    "MAX_NOTES",
    "PARTY_FIELDS",
    "MAX_SUMMARY",
    "MAX_TAGS",
    "Outcome",
    "REPORT_FIELDS",
    "SOURCE_FIELDS",
    "SUBMISSION_KEY",
    "Saved",
    "api_client_create",
    "api_client_revoke",
    "api_client_set_scopes",
    "api_client_update",
    "clean_context_event",
    "clean_figures",
    "clean_report_fields",
    "check_source_change",
    "context_event_create",
    "context_event_delete",
    "context_event_update",
    "clean_source",
    "clean_source_party",
    "clean_tags",
    "event_create",
    "event_create_linking",
    "event_set_reference_figure",
    "event_update",
    "figures_mark_separate",
    "figures_unmark_separate",
    "kobo_form_create",
    "kobo_form_new_token",
    "kobo_form_update",
    "kobo_ingest",
    "party_create",
    "party_update",
    "data_version_bump",
    "Followed",
    "places_follow_gazetteer_import",
    "places_follow_renames",
    "report_approve",
    "report_create",
    "report_link_event",
    "report_reject",
    "report_request_changes",
    "report_retract",
    "report_save",
    "report_snapshot",
    "report_submit",
    "report_update",
    "reports_decide",
    "source_create",
    "source_update",
    "tag_update",
]
