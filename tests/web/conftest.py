"""Fixtures for the pages' tests: the Django test client signed in as a moderator."""

import pytest


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    return client
