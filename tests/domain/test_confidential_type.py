"""A confidential source's type is all the public sees of it: changing it while several
approved reports cite it would change their public records at one moment and in the same way,
telling that they rest on one source. It is refused (DOMAIN.md, "Visibility and protection")."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from reports import services
from reports.models import Source
from tests import dashboard_data
from tests.conftest import source_fields

REFUSED = (
    "This confidential source is cited by 2 approved reports: changing its type would show "
    "publicly that they rest on one source. Correct each report instead, citing a new "
    "confidential source of the right type."
)


def change(source, moderator, **fields):
    return services.source_update(actor=moderator, source=source, **source_fields(source, **fields))


@pytest.fixture
def informant(places, field_partner, moderator, file_report):
    source = services.source_create(
        actor=field_partner, source_type="local_cso", name="Camp committee X",
        published_on=date(2023, 11, 12), is_confidential=True,
    )  # fmt: skip
    for _ in range(2):
        dashboard_data._approved(
            file_report(
                field_partner,
                title="Two villagers killed in Loikaw",
                figures=[dict(metric="killed", qualifier="exact", value=2)],
                sources=[source],
            ),
            field_partner,
            moderator,
        )
    return source


def test_the_type_of_a_confidential_source_two_reports_cite_cannot_change(informant, moderator):
    with pytest.raises(ValidationError) as refused:
        change(informant, moderator, source_type="news_media")
    assert refused.value.message_dict == {"source_type": [REFUSED]}
    assert Source.objects.get(pk=informant.pk).source_type == "local_cso"
    # Its other fields may be corrected, and unmasking it is a decision of its own.
    change(informant, moderator, title="Committee minutes")
    change(informant, moderator, source_type="news_media", is_confidential=False)
    assert Source.objects.get(pk=informant.pk).source_type == "news_media"


def test_the_admin_says_why_on_the_field(admin_client, informant):
    response = admin_client.post(
        f"/admin/reports/source/{informant.pk}/change/",
        {
            "source_type": "news_media",
            "name": informant.name,
            "title": "",
            "url": "",
            "published_on": "2023-11-12",
            "language": "",
            "is_confidential": "on",
        },  # fmt: skip
    )
    assert response.status_code == 200
    assert "changing its type would show publicly that they rest on one source" in (
        response.content.decode()
    )
    assert Source.objects.get(pk=informant.pk).source_type == "local_cso"
