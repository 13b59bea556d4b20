"""Who may see an export job, and the version of the public data a file is built from.

An export job is visible only to whoever asked for it (docs/exports.md): the signed-in person
who asked; for an anonymous person, the browser session that asked (a hash of its key, so a
leaked database row does not give the session away); for the API, the client whose key asked.
Nobody else, a moderator or administrator included, can open its page, its status or its file:
the link alone is not enough. Every export made so far is of public data (approved reports in
their public shape), so fetching one is not recorded in the access record; an export of
non-public data would have to be (reports.middleware.RecordAccess)."""

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from reports.models import ApiClient, ExportJob

from .data_version import current_data_version


@dataclass(frozen=True)
class Asker:
    """Who is asking: exactly one of the three is set."""

    user_id: int | None = None
    session_hash: str = ""
    api_client_id: int | None = None

    def __post_init__(self) -> None:
        given = [self.user_id is not None, bool(self.session_hash), self.api_client_id is not None]
        if given.count(True) != 1:
            raise ValueError("An export is asked by one person, session or API client.")

    @property
    def fields(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "session_hash": self.session_hash,
            "api_client_id": self.api_client_id,
        }


# An anonymous person's exports are theirs by a random token kept in their session's data,
# not by the session's key: signing in gives the session a new key (Django's defence against
# fixation) but keeps its data, so the jobs asked before can follow the person in.
SESSION_ASKER = "export_asker"


def session_hash(token: str) -> str:
    return hashlib.sha256(f"export-job:{token}".encode()).hexdigest()


def asker_of(request: HttpRequest) -> Asker:
    """The asker of a web request asking for an export; an anonymous person's session is
    given a token if it has none."""
    if request.user.is_authenticated:
        return Asker(user_id=request.user.pk)
    token = request.session.get(SESSION_ASKER)
    if not token:
        token = request.session[SESSION_ASKER] = secrets.token_urlsafe(32)
    return Asker(session_hash=session_hash(token))


def existing_asker(request: HttpRequest) -> Asker | None:
    """The asker of a web request only looking at exports: None for an anonymous person
    whose session has asked for nothing (and gets no session for looking)."""
    if not request.user.is_authenticated and not request.session.get(SESSION_ASKER):
        return None
    return asker_of(request)


def anonymous_jobs_of_session(request: HttpRequest) -> QuerySet[ExportJob]:
    """The jobs this browser's session asked for while nobody was signed in in it."""
    token = request.session.get(SESSION_ASKER)
    if not token:
        return ExportJob.objects.none()
    return jobs_of(Asker(session_hash=session_hash(token)))


def asker_of_client(client: ApiClient) -> Asker:
    return Asker(api_client_id=client.pk)


def jobs_of(asker: Asker) -> QuerySet[ExportJob]:
    """The jobs this asker may see (and only those)."""
    if asker.user_id is not None:
        return ExportJob.objects.filter(user_id=asker.user_id)
    if asker.api_client_id is not None:
        return ExportJob.objects.filter(api_client_id=asker.api_client_id)
    return ExportJob.objects.filter(
        Q(session_hash=asker.session_hash) & Q(user__isnull=True) & Q(api_client__isnull=True)
    )


def visible_job(asker: Asker, job_id: UUID | str) -> ExportJob | None:
    """The job if this asker asked for it; None otherwise, exactly as if it did not exist."""
    return jobs_of(asker).filter(pk=job_id).first()


def data_version() -> str:
    """The version of the public data a file is built from (reports.models.DataVersion): bumped
    in the same transaction as every change the public can see (an approval, a retraction, an
    edit, a renamed source, event, tag or place) and every change to which figure counts (the
    moderators' reference figures and "count separately" pairs), so two equal versions mean
    the same file. One indexed read."""
    return f"v{current_data_version()}"
