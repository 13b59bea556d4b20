"""NUL bytes in query parameters: PostgreSQL refuses them in text, so they must be caught as
bad input (a message, never a server error) on every page that takes free text."""

import pytest


@pytest.mark.parametrize(
    "url, status",
    [
        ("/dashboard/?area=%00", 400),
        ("/dashboard/?area=MMR%00002", 400),
        ("/dashboard/?tag=a%00b", 200),
        ("/dashboard/download/areas.csv?area=%00", 400),
        ("/dashboard/evidence/?metric=killed&area=%00", 400),
        ("/dashboard/briefing/?tag=%00", 200),
        ("/moderation/?place=%00", 400),
        ("/partner/places/?q=%00", 200),
    ],
)
def test_nul_bytes_in_parameters_are_bad_input_not_server_errors(
    client, moderator, places, url, status
):
    client.force_login(moderator)
    assert client.get(url).status_code == status


# "²" and "٣" are digits to str.isdigit() but not to int(): a number typed in another script
# (or a superscript) is bad input, never a server error.
@pytest.mark.parametrize(
    "url, status",
    [
        ("/dashboard/evidence/?metric=killed&page=%C2%B2", 400),
        ("/dashboard/evidence/?metric=killed&page=%D9%A3", 400),
        ("/api/v1/reports/?page_size=%C2%B2", 400),
        # An id beyond what the database holds names no report: not found, and the access
        # record still written.
        ("/moderation/reports/99999999999999999999999/", 404),
        ("/partner/reports/99999999999999999999999/", 404),
    ],
)
def test_numbers_python_reads_as_digits_but_int_cannot_are_bad_input(
    client, moderator, places, url, status
):
    client.force_login(moderator)
    assert client.get(url).status_code == status


def test_an_inbox_notice_id_in_superscript_digits_is_bad_input(client, field_partner):
    client.force_login(field_partner)
    response = client.post("/inbox/read/", {"notice": "²", "page": "²"}, follow=True)
    assert response.status_code == 200
    assert "Which notice to mark read (notice) was not understood." in response.content.decode()
