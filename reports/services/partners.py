"""Writes for the partner API: registering, re-scoping and revoking API clients, and KoboToolbox
forms and the submissions they send (see docs/domain.md)."""

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import permissions
from ..exceptions import ActionRefused, NotPermitted
from ..keys import forget_clients, new_secret
from ..kobo import (
    Unmappable,
    clean_mapping,
    map_submission,
    other_form,
    payload_summary,
    unmapped_reason,
)
from ..models import ApiClient, KoboForm, KoboSubmission, Membership, Organization
from ..roles import Role
from ..types import Actor
from ._shared import _attributed
from .reports import report_save

# --- API clients -----------------------------------------------------------------------------


def _require_admin(actor: Actor) -> None:
    if not permissions.can_manage_api_clients(actor):
        raise NotPermitted("Only an administrator can register or revoke API clients.")


def _sync_service_user(client: ApiClient) -> None:
    """The service user holds the API partner role, and the field partner role only while the
    client has the submit scope and is not revoked: the services then decide as for a person."""
    user = client.user
    api_partner = Group.objects.get(name=Role.API_PARTNER)
    field_partner = Group.objects.get(name=Role.FIELD_PARTNER)
    user.groups.add(api_partner)
    if client.can_submit and client.revoked_at is None:
        user.groups.add(field_partner)
    else:
        user.groups.remove(field_partner)


def _client_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise ValidationError({"name": "Name the client (the system that will use the key)."})
    if len(name) > 200:
        raise ValidationError({"name": "At most 200 characters."})
    return name


@transaction.atomic
def api_client_create(
    *,
    actor: Actor,
    name: str,
    organization: Organization,
    can_read: bool = True,
    can_submit: bool = False,
) -> tuple[ApiClient, str]:
    """Register a client; returns it and its key, which is never shown again."""
    _require_admin(actor)
    name = _client_name(name)
    if not organization.is_active:
        raise ValidationError({"organization": f"{organization} is deactivated."})
    secret = new_secret()
    user = get_user_model()(username=f"api-{secret.prefix}", first_name=name[:150])
    user.set_unusable_password()
    _attributed(user, actor).save()
    _attributed(Membership(user=user, organization=organization), actor).save()
    client = ApiClient(
        name=name,
        organization=organization,
        user=user,
        prefix=secret.prefix,
        key_hash=secret.hash,
        can_read=bool(can_read),
        can_submit=bool(can_submit),
        created_by=actor,
    )
    _attributed(client, actor).save()
    _sync_service_user(client)
    return client, secret.value


@transaction.atomic
def api_client_set_scopes(
    *, actor: Actor, client: ApiClient, can_read: bool, can_submit: bool
) -> ApiClient:
    _require_admin(actor)
    client.can_read, client.can_submit = bool(can_read), bool(can_submit)
    _attributed(client, actor).save(update_fields=["can_read", "can_submit"])
    _sync_service_user(client)
    forget_clients([client])
    return client


@transaction.atomic
def api_client_update(
    *, actor: Actor, client: ApiClient, name: str, can_read: bool, can_submit: bool
) -> ApiClient:
    """Rename a client and set its scopes (its organisation and key stay)."""
    _require_admin(actor)
    client.name = _client_name(name)
    _attributed(client, actor).save(update_fields=["name"])
    return api_client_set_scopes(
        actor=actor, client=client, can_read=can_read, can_submit=can_submit
    )


@transaction.atomic
def api_client_revoke(*, actor: Actor, client: ApiClient) -> ApiClient:
    """Revoke a client's key for good; its requests are answered 401 from now on."""
    _require_admin(actor)
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        _attributed(locked, actor).save(update_fields=["revoked_at", "revoked_by"])
        _sync_service_user(locked)
        forget_clients([locked])
    client.refresh_from_db()
    return client


# --- KoboToolbox -----------------------------------------------------------------------------


def _kobo_key(form: KoboForm, uuid: str) -> str:
    """The submission key of a Kobo submission's report: one per form and _uuid, whatever the
    _uuid holds ("uuid:" prefixes, Burmese) and however long (cut to the key's 64 characters,
    two long _uuids alike at the start were one report, the second submission lost)."""
    return f"kobo-{form.pk}-{hashlib.sha256(uuid.encode()).hexdigest()[:40]}"


def kobo_ingest(*, form: KoboForm, payload: dict[str, Any]) -> tuple[int, KoboSubmission]:
    """File one submission: (201, new draft), (200, seen before) or (202, kept unmapped)."""
    uuid = str(payload.get("_uuid") or "").strip()
    existing = KoboSubmission.objects.filter(form=form, uuid=uuid).first()
    if existing is not None and existing.status == KoboSubmission.State.MAPPED:
        return 200, existing
    actor = form.client.user
    reason, report, mapping = other_form(form, payload), None, None
    try:
        with transaction.atomic():
            if not reason:
                try:
                    mapping = clean_mapping(form.mapping)
                except ValidationError as exc:
                    reason = "The form's mapping is wrong: " + " ".join(exc.messages)
            try:
                if mapping is not None:
                    mapped = map_submission(mapping, payload)
                    saved = report_save(
                        actor=actor,
                        submission_key=_kobo_key(form, uuid),
                        figures=mapped["figures"],
                        tags=mapped["tags"],
                        **mapped["fields"],
                    )
                    report = saved.report
            except Unmappable as exc:
                reason = str(exc)
            except ValidationError as exc:
                reason = unmapped_reason(exc, mapped["paths"])
            except ActionRefused as exc:
                reason = exc.message
            state = KoboSubmission.State.MAPPED if report else KoboSubmission.State.UNMAPPED
            values = dict(
                payload=payload,
                status=state,
                reason=reason,
                report=report,
                updated_at=timezone.now(),
                **payload_summary(payload),
            )
            if existing is None:
                submission = KoboSubmission.objects.create(form=form, uuid=uuid, **values)
            else:
                KoboSubmission.objects.filter(pk=existing.pk).update(**values)
                submission = KoboSubmission.objects.get(pk=existing.pk)
    except IntegrityError:
        # The same submission raced in twice; the first one's outcome stands.
        return 200, KoboSubmission.objects.get(form=form, uuid=uuid)
    if report is None:
        return 202, submission
    return 201, submission


def _require_kobo_manager(actor: Actor) -> None:
    if not permissions.can_manage_kobo_forms(actor):
        raise NotPermitted("Only moderators and administrators define KoboToolbox forms.")


def _set_kobo_form(
    form: KoboForm,
    *,
    name: str,
    client: ApiClient,
    mapping: dict[str, Any],
    kobo_asset_uid: str,
    kobo_form_uuid: str,
    is_active: bool,
) -> KoboForm:
    clean_mapping(mapping)
    if not client.can_submit or client.revoked_at is not None:
        # The client's organisation files the drafts: it must be one allowed to submit.
        raise ValidationError(
            {"client": "Choose an API client with the submit scope, not revoked."}
        )
    form.name, form.client, form.mapping = name, client, mapping
    form.kobo_asset_uid = str(kobo_asset_uid or "").strip()
    form.kobo_form_uuid = str(kobo_form_uuid or "").strip()
    form.is_active = bool(is_active)
    form.full_clean()
    form.save()
    return form


def kobo_form_create(
    *,
    actor: Actor,
    name: str,
    client: ApiClient,
    mapping: dict[str, Any],
    kobo_asset_uid: str = "",
    kobo_form_uuid: str = "",
    is_active: bool = True,
) -> tuple[KoboForm, str]:
    """A new form and its ingest token, which is shown once (in the link given to Kobo).
    With blank Kobo ids, submissions from any Kobo form are accepted through the link."""
    _require_kobo_manager(actor)
    secret = new_secret()
    form = _set_kobo_form(
        KoboForm(prefix=secret.prefix, token_hash=secret.hash),
        name=name,
        client=client,
        mapping=mapping,
        kobo_asset_uid=kobo_asset_uid,
        kobo_form_uuid=kobo_form_uuid,
        is_active=is_active,
    )
    return form, secret.value


def kobo_form_update(
    *,
    actor: Actor,
    form: KoboForm,
    name: str,
    client: ApiClient,
    mapping: dict[str, Any],
    kobo_asset_uid: str,
    kobo_form_uuid: str,
    is_active: bool,
) -> KoboForm:
    """Change a form's mapping, client, Kobo ids or state (every one given: a blank Kobo id
    accepts any Kobo form); its link stays the same."""
    _require_kobo_manager(actor)
    return _set_kobo_form(
        form,
        name=name,
        client=client,
        mapping=mapping,
        kobo_asset_uid=kobo_asset_uid,
        kobo_form_uuid=kobo_form_uuid,
        is_active=is_active,
    )


def kobo_form_new_token(*, actor: Actor, form: KoboForm) -> str:
    """Replace a form's token (the old link stops working at once)."""
    _require_kobo_manager(actor)
    secret = new_secret()
    form.prefix, form.token_hash = secret.prefix, secret.hash
    form.save(update_fields=["prefix", "token_hash"])
    return secret.value
