"""A report's alleged perpetrator: a party from the moderators' list, "unknown" or not stated,
with the report's sources that make the attribution; refused input stores nothing; the history
says it in words; the public record shows it with the sources' public labels, a party's claim
about itself labelled as such and a confidential source by its type only."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from reports import publication, selectors, services
from reports.models import Party, Report, ReportHistory, Source


@pytest.fixture
def statement(moderator, parties):
    return services.source_create(
        actor=moderator,
        source_type="party_to_conflict",
        name="KNDF information office",
        title="Statement on Operation 1107",
        published_on=date(2023, 11, 10),
        party=parties["kndf"],
    )


def test_not_stated_unknown_and_a_party_are_three_states(file_report, field_partner, parties):
    assert file_report(field_partner).perpetrator_code == ""
    unknown = file_report(field_partner, perpetrator="unknown")
    assert (unknown.perpetrator, unknown.perpetrator_unknown, unknown.perpetrator_code) == (
        None,
        True,
        "unknown",
    )
    alleged = file_report(field_partner, perpetrator="sac")
    assert (alleged.perpetrator, alleged.perpetrator_unknown) == (parties["sac"], False)


def test_an_unknown_party_is_refused_by_name_and_nothing_is_stored(file_report, field_partner):
    with pytest.raises(ValidationError) as refused:
        file_report(field_partner, perpetrator="tatmadaw")
    assert refused.value.message_dict == {
        "perpetrator": [
            "Unknown party 'tatmadaw': choose a party from the list moderators keep, "
            "'unknown', or leave it empty (not stated)."
        ]
    }
    assert Report.objects.count() == 0


def test_an_attributing_source_must_be_one_of_the_reports_sources(
    file_report, field_partner, moderator, parties, statement, news_source
):
    with pytest.raises(ValidationError) as refused:
        file_report(field_partner, perpetrator="kndf", perpetrator_sources=[statement])
    assert refused.value.message_dict == {
        "perpetrator_sources": [
            f"Source #{statement.public_id} is not among the report's sources: only a source the "
            "report cites can attribute the harm."
        ]
    }
    assert Report.objects.count() == 0
    report = file_report(field_partner, perpetrator="sac", perpetrator_sources=[news_source])
    version = report.version
    with pytest.raises(ValidationError):
        services.report_update(report=report, actor=field_partner, perpetrator_sources=[statement])
    report.refresh_from_db()
    assert (report.version, list(report.perpetrator_sources.all())) == (version, [news_source])


def test_attributing_sources_need_a_stated_perpetrator(file_report, field_partner, news_source):
    with pytest.raises(ValidationError) as refused:
        file_report(field_partner, perpetrator_sources=[news_source])
    assert list(refused.value.message_dict) == ["perpetrator_sources"]
    assert Report.objects.count() == 0


def test_dropping_a_source_or_the_perpetrator_drops_its_attribution(
    file_report, field_partner, news_source, statement, moderator
):
    report = file_report(
        moderator,
        organization=field_partner.membership.organization,
        sources=[news_source, statement],
        perpetrator="kndf",
        perpetrator_sources=[news_source, statement],
    )
    services.report_update(report=report, actor=moderator, sources=[statement])
    assert list(report.perpetrator_sources.all()) == [statement]
    services.report_update(report=report, actor=moderator, perpetrator="")
    assert (report.perpetrator_code, list(report.perpetrator_sources.all())) == ("", [])


def test_only_a_party_source_names_its_issuer(moderator, parties):
    with pytest.raises(ValidationError) as refused:
        services.source_create(
            actor=moderator, source_type="news_media", name="Myanmar Now", party=parties["kndf"]
        )
    assert refused.value.message_dict == {
        "party": ["Only a source of type “party to the conflict” is issued by a party."]
    }
    assert Source.objects.count() == 0


def test_the_history_says_the_change_in_words(file_report, field_partner, news_source, parties):
    report = file_report(field_partner)
    services.report_update(
        report=report, actor=field_partner, perpetrator="sac", perpetrator_sources=[news_source]
    )
    services.report_update(report=report, actor=field_partner, perpetrator="unknown")
    entries = selectors.report_history(report)
    assert [(c.label, c.before, c.after) for c in entries[1].changes] == [
        ("Alleged perpetrator", "—", "Myanmar military (SAC)"),
        (
            "Sources attributing it",
            "—",
            "The Irrawaddy, 13 Nov 2023: Karenni Armed Group Seizes Seven Myanmar Junta Bases "
            "Since Saturday",
        ),
    ]
    assert [(c.label, c.before, c.after) for c in entries[2].changes] == [
        (
            "Alleged perpetrator",
            "Myanmar military (SAC)",
            "unknown (the sources say it is not known)",
        )
    ]
    assert ReportHistory.objects.filter(report=report).count() == 3


def test_a_party_slug_is_never_a_filter_word(moderator):
    for slug in ("unknown", "none"):
        with pytest.raises(ValidationError) as refused:
            services.party_create(actor=moderator, name=f"Party {slug}", slug=slug)
        assert list(refused.value.message_dict) == ["slug"]
    assert Party.objects.count() == 0


def test_the_public_record_labels_each_claim(
    file_report, field_partner, moderator, parties, statement, news_source
):
    secret = services.source_create(
        actor=moderator,
        source_type="party_to_conflict",
        name="A KNDF commander",
        party=parties["kndf"],
        is_confidential=True,
    )
    own = file_report(
        moderator,
        organization=field_partner.membership.organization,
        sources=[statement, secret, news_source],
        perpetrator="kndf",
        perpetrator_sources=[statement, secret],
    )
    about_other = file_report(
        moderator,
        organization=field_partner.membership.organization,
        sources=[statement],
        perpetrator="sac",
        perpetrator_sources=[statement],
    )
    for report in (own, about_other):
        services.report_submit(report=report, actor=moderator)
        services.report_approve(report=report, actor=moderator)
    alleged = publication.report_data(Report.objects.get(pk=own.pk))["alleged_perpetrator"]
    assert alleged["code"] == "kndf"
    assert alleged["party"] == {
        "slug": "kndf",
        "name": "Karenni Nationalities Defence Force",
        "name_my": "",
        "short_name": "KNDF",
        "kind": "resistance",
    }
    assert [(s["id"], s["label"], s["claim"]) for s in alleged["sources"]] == [
        (
            statement.public_id,
            "KNDF information office, 10 Nov 2023: Statement on Operation 1107 (party to the "
            "conflict): claimed by KNDF itself",
            "self",
        ),
        # Confidential: its type only, never which party issued it.
        (None, "confidential source (party to the conflict)", "party"),
    ]
    other = publication.report_data(Report.objects.get(pk=about_other.pk))["alleged_perpetrator"]
    assert [(s["label"], s["claim"]) for s in other["sources"]] == [
        (
            "KNDF information office, 10 Nov 2023: Statement on Operation 1107 (party to the "
            "conflict): a claim by a party to the conflict",
            "party",
        )
    ]
    assert publication.verify() == []


def test_renaming_a_party_follows_into_the_public_records(
    file_report, field_partner, moderator, parties
):
    report = file_report(moderator, organization=field_partner.membership.organization,
                         perpetrator="sac")  # fmt: skip
    services.report_submit(report=report, actor=moderator)
    services.report_approve(report=report, actor=moderator)
    services.party_update(
        actor=moderator,
        party=parties["sac"],
        name="State Administration Council",
        name_my="",
        short_name="SAC",
        kind="state_forces",
        description="",
    )
    assert publication.verify() == []
    record = selectors.public_records().get(report=report)
    assert '"name":"State Administration Council"' in record.document
    assert parties["sac"].history.count() == 2
