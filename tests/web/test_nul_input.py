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
