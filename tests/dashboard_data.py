"""A small Kayah scenario for the dashboard and download tests, built through the services the
way moderators build it: an event with two reports and a reference figure, a confidential
source, a state-level report (shown as "unspecified within Kayah"), a stock, a December
report, and a submitted report that must never count."""

from datetime import date

import pytest
from django.http import QueryDict

from reports import aggregates, services

QUESTION = "area=MMR002&start=2023-11-01&end=2023-12-31&period=month"


def _approved(report, partner, moderator):
    services.report_submit(report=report, actor=partner)
    return services.report_approve(report=report, actor=moderator)


def build(*, places, field_partner, moderator, news_source, file_report) -> dict:
    secret = services.source_create(
        actor=field_partner, source_type="local_cso", name="Camp committee X", is_confidential=True
    )
    kndf = services.source_create(
        actor=moderator,
        source_type="party_to_conflict",
        name="KNDF statement",
        url="https://example.org/kndf",
        published_on=date(2023, 11, 16),
    )
    town = _approved(file_report(field_partner), field_partner, moderator)
    township = _approved(
        file_report(
            field_partner,
            title="At least 40,000 displaced from Loikaw",
            place=places["loikaw"],
            end_date=date(2023, 11, 21),
            figures=[dict(metric="newly_displaced", qualifier="at_least", value=40000)],
        ),
        field_partner,
        moderator,
    )
    event = services.event_create(actor=moderator, name="Displacement from Loikaw")
    for report in (town, township):
        services.report_link_event(report=report, event=event, actor=moderator)
    services.event_set_reference_figure(event=event, figure=township.figures.get(), actor=moderator)
    shelling = _approved(
        file_report(
            field_partner,
            title="Shelling <b>near</b> Demoso",
            place=places["demoso"],
            start_date=date(2023, 11, 20),
            end_date=None,
            cause="artillery",
            public_summary="Three villagers were killed & five injured.",
            internal_notes="Contact: U Ba, phone 09-555",
            figures=[
                dict(metric="killed", qualifier="exact", value=3),
                dict(metric="injured", qualifier="range", value_min=4, value_max=6),
            ],
            sources=[secret],
        ),
        field_partner,
        moderator,
    )
    state = _approved(
        file_report(
            field_partner,
            title="16 civilians killed in Karenni State",
            place=places["kayah"],
            start_date=date(2023, 11, 11),
            end_date=date(2023, 11, 15),
            figures=[dict(metric="killed", qualifier="exact", value=16)],
            sources=[kndf],
        ),
        field_partner,
        moderator,
    )
    stock = _approved(
        file_report(
            field_partner,
            title="More than 40,000 people displaced from Loikaw",
            place=places["loikaw"],
            start_date=date(2023, 11, 18),
            end_date=None,
            figures=[dict(metric="currently_displaced", qualifier="at_least", value=40000)],
        ),
        field_partner,
        moderator,
    )
    december = _approved(
        file_report(
            field_partner,
            title="Two killed by a landmine near Demoso",
            place=places["demoso"],
            start_date=date(2023, 12, 5),
            end_date=None,
            cause="landmine",
            figures=[dict(metric="killed", qualifier="exact", value=2)],
        ),
        field_partner,
        moderator,
    )
    submitted = file_report(
        field_partner,
        title="Unchecked: 999 killed",
        place=places["demoso"],
        figures=[dict(metric="killed", qualifier="exact", value=999)],
    )
    services.report_submit(report=submitted, actor=field_partner)
    return {
        "town": town,
        "township": township,
        "event": event,
        "shelling": shelling,
        "state": state,
        "stock": stock,
        "december": december,
        "submitted": submitted,
        "secret": secret,
        "kndf": kndf,
    }


def engine(query: str):
    """The engine's answer to a question given as the dashboard's query string."""
    return aggregates.answer(aggregates.parse_question(QueryDict(query)))


@pytest.fixture
def scenario(places, field_partner, moderator, news_source, file_report):
    """The scenario above (registered for every test by tests/conftest.py)."""
    return build(
        places=places,
        field_partner=field_partner,
        moderator=moderator,
        news_source=news_source,
        file_report=file_report,
    )


@pytest.fixture
def unapproved_event(scenario, moderator):
    """An event whose only report is submitted, not approved."""
    event = services.event_create(actor=moderator, name="Internal: unconfirmed shelling")
    services.report_link_event(report=scenario["submitted"], event=event, actor=moderator)
    return event
