"""Roles as groups, and who sees which reports (the selectors)."""

import pytest
from django.contrib.auth.models import Group

from reports import selectors, services
from reports.models import Report
from reports.roles import ROLE_PERMISSIONS, Role


def test_every_role_is_a_group_with_exactly_its_permissions(db):
    for role, wanted in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        have = set(group.permissions.values_list("content_type__app_label", "codename"))
        assert have == set(wanted), role
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)


def test_role_capabilities(field_partner, moderator, advocate):
    assert field_partner.has_perm("reports.submit_report")
    assert not field_partner.has_perm("reports.moderate_report")
    assert moderator.has_perm("reports.moderate_report")
    assert not advocate.has_perm("reports.view_report")


@pytest.fixture
def reports_in_states(field_partner, other_partner, moderator, file_report):
    mine_draft = file_report(field_partner, title="mine, draft")
    mine_approved = file_report(field_partner, title="mine, approved")
    theirs_submitted = file_report(other_partner, title="theirs, submitted")
    theirs_approved = file_report(other_partner, title="theirs, approved")
    for report, actor in (
        (mine_approved, field_partner),
        (theirs_submitted, other_partner),
        (theirs_approved, other_partner),
    ):
        services.report_submit(report=report, actor=actor)
    for report in (mine_approved, theirs_approved):
        services.report_approve(report=report, actor=moderator)
    return mine_draft, mine_approved, theirs_submitted, theirs_approved


def titles(queryset):
    return sorted(queryset.values_list("title", flat=True))


def visible_to(user):
    """The reports a person may open in full, and every approved one in its public shape."""
    own = selectors.reports_of_own_organization(user).values_list("pk", flat=True)
    public = selectors.public_reports().values_list("pk", flat=True)
    return Report.objects.filter(pk__in={*own, *public})


def test_visibility_per_role(reports_in_states, field_partner, other_partner, moderator, advocate):
    assert titles(visible_to(moderator)) == [
        "mine, approved",
        "mine, draft",
        "theirs, approved",
        "theirs, submitted",
    ]
    assert titles(visible_to(field_partner)) == [
        "mine, approved",
        "mine, draft",
        "theirs, approved",
    ]
    assert titles(visible_to(other_partner)) == [
        "mine, approved",
        "theirs, approved",
        "theirs, submitted",
    ]
    assert titles(visible_to(advocate)) == ["mine, approved", "theirs, approved"]
    assert titles(selectors.public_reports()) == ["mine, approved", "theirs, approved"]


def test_confidential_sources_are_named_by_type_only(moderator):
    source = services.source_create(
        actor=moderator,
        source_type="local_cso",
        name="Camp committee at Daw Ta Ma Gyi",
        url="https://example.org/secret",
        is_confidential=True,
    )
    assert selectors.public_source_label(source) == "confidential local source"


def test_parties_to_the_conflict_are_labelled(moderator):
    source = services.source_create(
        actor=moderator, source_type="party_to_conflict", name="KNDF", title="Statement"
    )
    assert selectors.public_source_label(source) == "KNDF: Statement (party to the conflict)"


def test_exact_points_stay_hidden_until_released(field_partner, moderator, file_report, places):
    report = file_report(field_partner, latitude="19.700001", longitude="97.200002")
    town = places["loikaw_town"]
    assert selectors.public_point(report) == (town.latitude, town.longitude)
    services.report_update(report=report, actor=moderator, point_released=True)
    assert tuple(map(str, selectors.public_point(report))) == ("19.700001", "97.200002")
