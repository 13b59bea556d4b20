"""Each source keeps the organisation it was added for (Source.organization).

Until now a source belonged to whoever added it in their *current* organisation: a partner who
moved from one organisation to another took the old one's confidential sources along, to the
new one's forms and API client, names and all (DOMAIN.md, "Visibility and protection").

For the sources already here, the organisation is the one their author belonged to when they
added them, read from the membership's change history (the last record at or before the
source was added). An author with no history record at all (a membership older than the
history, never changed since) has the membership as it stands, if it began before the source
was added. Otherwise none, a history beginning after the source included (its first record
may be a move): only moderators may cite such a source, which is the safe side. A source added
by someone who moderates belongs to none either (services.source_create: a moderator acts for
no organisation), whatever organisation they belong to. The sources' history records get the
same value, so that the next change does not show the organisation as changed."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

BATCH = 2000


def _organization_when_added(history, current, user_id, added_at):
    records = history.get(user_id)
    if records:
        for when, kind, organization_id in records:  # newest first
            if when <= added_at:
                return None if kind == "-" else organization_id
        # The history begins after the source: its first record may be a move of a membership
        # older than the history, so the membership as it stands says nothing of that time.
        return None
    membership = current.get(user_id)
    if membership is not None and membership[0] <= added_at:
        return membership[1]
    return None


def _moderators(apps) -> set[int]:
    """The people who may moderate now (reports.permissions.is_moderator, less `is_active`):
    a moderator acts for no organisation, and their sources belong to none."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    may = Q(codename="moderate_report", content_type__app_label="reports")
    Permission = apps.get_model("auth", "Permission")
    granted = Permission.objects.filter(may)
    may_moderate = (
        Q(is_superuser=True) | Q(groups__permissions__in=granted) | Q(user_permissions__in=granted)
    )
    return set(User.objects.filter(may_moderate).values_list("pk", flat=True))


def decide_organizations(apps, schema_editor):
    Source = apps.get_model("reports", "Source")
    HistoricalSource = apps.get_model("reports", "HistoricalSource")
    Membership = apps.get_model("reports", "Membership")
    HistoricalMembership = apps.get_model("reports", "HistoricalMembership")
    history: dict[int, list] = {}
    rows = HistoricalMembership.objects.order_by("-history_date", "-history_id").values_list(
        "user_id", "history_date", "history_type", "organization_id"
    )
    for user_id, when, kind, organization_id in rows.iterator():
        history.setdefault(user_id, []).append((when, kind, organization_id))
    current = {
        user_id: (created_at, organization_id)
        for user_id, created_at, organization_id in Membership.objects.values_list(
            "user_id", "created_at", "organization_id"
        )
    }
    moderators = _moderators(apps)
    decided: dict[int, int] = {}
    sources = Source.objects.exclude(created_by=None).values_list(
        "pk", "created_by_id", "created_at"
    )
    for pk, user_id, added_at in sources.iterator():
        if user_id in moderators:
            continue
        organization_id = _organization_when_added(history, current, user_id, added_at)
        if organization_id is not None:
            decided[pk] = organization_id
    by_organization: dict[int, list[int]] = {}
    for pk, organization_id in decided.items():
        by_organization.setdefault(organization_id, []).append(pk)
    for organization_id, pks in by_organization.items():
        for start in range(0, len(pks), BATCH):
            chunk = pks[start : start + BATCH]
            Source.objects.filter(pk__in=chunk).update(organization_id=organization_id)
            HistoricalSource.objects.filter(id__in=chunk).update(organization_id=organization_id)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0042_submission_key_new_sources"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalsource",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text=(
                    "Its people and API clients may cite it, a confidential one by name; no one "
                    "else's may. Empty: only moderators may. Set from its author when it is added."
                ),
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="reports.organization",
                verbose_name="added for organisation",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "Its people and API clients may cite it, a confidential one by name; no one "
                    "else's may. Empty: only moderators may. Set from its author when it is added."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sources",
                to="reports.organization",
                verbose_name="added for organisation",
            ),
        ),
        migrations.RunPython(decide_organizations, migrations.RunPython.noop, elidable=False),
    ]
