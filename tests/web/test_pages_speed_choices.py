"""The dashboard's tag choices come from the summaries, which follow every approval,
retraction, edit and renaming in the same transaction: the list is never a scan of the reports'
tags, and a tag carried only by unapproved reports is never offered (a tag's name can itself be
sensitive: DOMAIN.md, "Visibility and protection")."""

import re

import pytest
from taggit.models import Tag

from reports import services

DASHBOARD = "/dashboard/"


def offered(client) -> list[str]:
    """The tags the dashboard's filter form offers, in its order."""
    page = client.get(DASHBOARD).content.decode()
    datalist = re.search(r'<datalist id="f-tags">(.*?)</datalist>', page, re.S).group(1)
    return re.findall(r'<option value="([^"]*)">', datalist)


@pytest.fixture
def approve(moderator, field_partner, file_report):
    def make(**fields):
        report = services.report_submit(
            report=file_report(field_partner, **fields), actor=field_partner
        )
        return services.report_approve(report=report, actor=moderator)

    return make


def test_only_the_approved_reports_tags_are_offered(
    client, approve, field_partner, moderator, file_report
):
    approve(tags=["Operation 1111", "Church"])
    file_report(field_partner, tags=["Informant Saw Htoo"])  # a draft
    submitted = services.report_submit(
        report=file_report(field_partner, tags=["Checkpoint 7 ambush"]), actor=field_partner
    )
    rejected = services.report_submit(
        report=file_report(field_partner, tags=["Rejected tag"]), actor=field_partner
    )
    services.report_reject(report=rejected, actor=moderator, reason="No source.")

    assert offered(client) == ["Church", "Operation 1111"]
    assert submitted.tags.count() == 1
    assert "Saw Htoo" not in client.get(DASHBOARD).content.decode()


def test_the_choices_follow_approval_retraction_edit_and_renaming(
    client, approve, moderator, field_partner, file_report
):
    assert offered(client) == []
    report = approve(tags=["Operation 1111"])
    assert offered(client) == ["Operation 1111"]

    report = services.report_update(
        report=report, actor=moderator, tags=["Operation 1027"], note="Wrong operation."
    )
    assert offered(client) == ["Operation 1027"]

    services.tag_update(
        actor=moderator, tag=Tag.objects.get(name="Operation 1027"), name="Op 1027", slug="op-1027"
    )
    assert offered(client) == ["Op 1027"]

    services.report_retract(report=report, actor=moderator, reason="Duplicate of a UN report.")
    assert offered(client) == []


def test_one_spelling_per_tag_and_only_a_spelling_an_approved_report_carries(
    client, approve, field_partner, file_report
):
    approve(tags=["Church"])
    approve(tags=["Airstrike"])
    # The same tag in another case, only on a draft: the question matches any case, and the
    # draft's spelling is not offered.
    file_report(field_partner, tags=["CHURCH"])
    file_report(field_partner, tags=["airstrike"])
    assert offered(client) == ["Airstrike", "Church"]

    approve(tags=["airstrike"])
    assert offered(client) == ["Airstrike", "Church"]


def test_the_tag_list_reads_no_report_tags(client, approve):
    """The list is read from the summaries' index: no query joins the reports' tags unless
    several spellings share a tag."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approve(tags=["Operation 1111"])
    with CaptureQueriesContext(connection) as queries:
        client.get(DASHBOARD)
    tagged_item = "taggit_taggeditem"
    assert [q["sql"] for q in queries.captured_queries if tagged_item in q["sql"]] == []
