"""Schemathesis against the generated OpenAPI schema, in-process through the WSGI app: every
operation (the read side and api-write's submissions) with generated parameters and bodies,
derandomized so a run is repeatable. Fails on any 5xx, or on a status code, content type or
body the schema does not describe."""

import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from reports.roles import Role
from reports.services import api_client_create

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation: a quick pass in every `make test`, more in CI's own step.
EXAMPLES = int(os.environ.get("TRACKER_SCHEMATHESIS_EXAMPLES", "25"))
OPERATIONS = {
    ("GET", "/api/v1/aggregates/"),
    ("GET", "/api/v1/events/"),
    ("GET", "/api/v1/events/{id}/"),
    ("GET", "/api/v1/places/"),
    ("GET", "/api/v1/places/{pcode}/"),
    ("GET", "/api/v1/reports/"),
    ("GET", "/api/v1/reports/{id}/"),
    ("GET", "/api/v1/retractions/"),
    ("GET", "/api/v1/sources/"),
    ("POST", "/api/v1/submissions/"),
    ("GET", "/api/v1/submissions/sources/"),
}


# The schema is generated from the code (no database needed); it is loaded once, at import.
# (schemathesis.pytest.from_fixture would load it per test, but its lazy loader reads a pytest
# private attribute that pytest 9 no longer has.)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def keep_connection():
    """Calls go straight to the WSGI app, so Django would close the database connection after
    each one (and with it the test's transaction on PostgreSQL); Django's own test client
    avoids that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(organizations):
    admin = get_user_model().objects.create_user("schema-admin", password="x-secret-pass-1")
    admin.groups.add(Group.objects.get(name=Role.ADMIN))
    admin = get_user_model().objects.get(pk=admin.pk)
    _, key = api_client_create(
        actor=admin,
        name="Schemathesis",
        organization=organizations["monitors"],
        can_read=True,
        can_submit=True,
    )
    return key


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_the_schema(case, keep_connection, scenario, api_key, settings):
    settings.TRACKER_API_CLIENT_RATE = "1000000/hour"
    case.call_and_validate(headers={"Authorization": f"Api-Key {api_key}"}, checks=CHECKS)


def test_the_schema_has_every_operation():
    """So that the test above exercises each of them (it is parametrized by the schema)."""
    found = {
        (method.upper(), path)
        for path, item in schema.raw_schema["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert found >= OPERATIONS, OPERATIONS - found
