"""Fixtures for the partner API's tests: the admin who registers API clients, the monitors'
API client and its key, the throttles reset, and who the `api` test client speaks for."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from reports import services


@pytest.fixture(autouse=True)
def fresh_throttles():
    # The throttles count in the cache: every test starts and leaves with a full budget.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "x-secret-pass-1")


@pytest.fixture
def client_and_key(admin_user, organizations, places):
    """The monitors' API client, allowed to submit, and its key (shown only once)."""
    return services.api_client_create(
        actor=admin_user,
        name="Monitors' uploader",
        organization=organizations["monitors"],
        can_submit=True,
    )


@pytest.fixture
def api_as_advocate(api, advocate):
    """`api` signed in as the advocate (a session user reading the API)."""
    api.force_authenticate(advocate)


@pytest.fixture
def api_with_the_key(api, client_and_key):
    """`api` sending the monitors' API client's key, as a partner's system does."""
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {client_and_key[1]}")
