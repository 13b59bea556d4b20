"""The roles (docs/domain.md) as Django groups with the permissions each holds, synced after
every `migrate` (apps.py): a permission changes here, never by hand in the admin."""

from django.db import models

VIEW = ("view",)
EDIT = ("add", "change", "view")
ALL = ("add", "change", "delete", "view")


class Role(models.TextChoices):
    FIELD_PARTNER = "Field partner"
    MODERATOR = "Moderator"
    ADVOCATE = "Advocate"
    API_PARTNER = "API partner"
    ADMIN = "Administrator"


def _model_perms(app_label: str, model: str, actions) -> list[tuple[str, str]]:
    return [(app_label, f"{action}_{model}") for action in actions]


ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    # Partners work through the tracker's own pages, scoped to their organisation by the
    # services and selectors; they hold no model permissions the admin would honour.
    Role.FIELD_PARTNER: [
        ("reports", "submit_report"),
        *_model_perms("gazetteer", "place", VIEW),
    ],
    Role.MODERATOR: [
        ("reports", "moderate_report"),
        ("reports", "submit_report"),
        ("reports", "view_internal"),
        *_model_perms("reports", "report", EDIT),
        *_model_perms("reports", "figure", ALL),
        *_model_perms("reports", "source", EDIT),
        *_model_perms("reports", "event", EDIT),
        *_model_perms("reports", "eventreferencefigure", ALL),
        *_model_perms("reports", "separatefigures", VIEW),
        *_model_perms("reports", "reporthistory", VIEW),
        *_model_perms("reports", "organization", VIEW),
        *_model_perms("reports", "koboform", EDIT),
        *_model_perms("reports", "kobosubmission", VIEW),
        *_model_perms("gazetteer", "place", VIEW),
        *_model_perms("taggit", "tag", EDIT),
    ],
    Role.ADVOCATE: [
        *_model_perms("gazetteer", "place", VIEW),
    ],
    Role.API_PARTNER: [
        ("reports", "use_api"),
        *_model_perms("gazetteer", "place", VIEW),
    ],
    Role.ADMIN: [
        ("reports", "moderate_report"),
        ("reports", "submit_report"),
        ("reports", "view_internal"),
        ("reports", "use_api"),
        *_model_perms("reports", "report", ALL),
        *_model_perms("reports", "figure", ALL),
        *_model_perms("reports", "source", ALL),
        *_model_perms("reports", "event", ALL),
        *_model_perms("reports", "eventreferencefigure", ALL),
        *_model_perms("reports", "reporthistory", VIEW),
        *_model_perms("reports", "accessrecord", VIEW),
        *_model_perms("reports", "organization", ALL),
        *_model_perms("reports", "membership", ALL),
        *_model_perms("reports", "apiclient", EDIT),
        *_model_perms("reports", "apiusage", VIEW),
        *_model_perms("reports", "koboform", EDIT),
        *_model_perms("reports", "kobosubmission", VIEW),
        *_model_perms("gazetteer", "place", ALL),
        *_model_perms("taggit", "tag", ALL),
        *_model_perms("auth", "user", ALL),
        *_model_perms("auth", "group", VIEW),
        # Failed sign-ins and pauses (django-axes); deleting an attempt ends its pause early.
        *_model_perms("axes", "accessattempt", ("delete", "view")),
        *_model_perms("axes", "accessfailurelog", VIEW),
        *_model_perms("axes", "accesslog", VIEW),
        # Second factors (django-otp): an administrator resets a lost one by deleting it; the
        # admin never shows a secret (OTP_ADMIN_HIDE_SENSITIVE_DATA).
        *_model_perms("otp_totp", "totpdevice", ("delete", "view")),
        *_model_perms("otp_static", "staticdevice", ("delete", "view")),
    ],
}

# Roles whose members work in the Django admin.
STAFF_ROLES = frozenset({Role.MODERATOR, Role.ADMIN})


def sync_roles() -> None:
    """Create the role groups and give each exactly the permissions in ROLE_PERMISSIONS."""
    from django.contrib.auth.models import Group, Permission

    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        query = models.Q(pk__in=[])
        for app_label, codename in wanted:
            query |= models.Q(content_type__app_label=app_label, codename=codename)
        perms = list(Permission.objects.filter(query))
        missing = set(wanted) - {(p.content_type.app_label, p.codename) for p in perms}
        if missing:
            raise LookupError(f"Permissions missing for role {role}: {sorted(missing)}")
        group.permissions.set(perms)
