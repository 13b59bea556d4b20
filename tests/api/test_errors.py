"""One error shape across the API: the domain's exceptions mapped once (reports/api/errors.py),
DRF's own errors, unknown paths and unexpected failures, all as
{"type": ..., "errors": [{"code", "detail", "attr"}]}."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.aggregates import QuestionError
from reports.exceptions import (
    ActionRefused,
    ConcurrentModification,
    NotPermitted,
    TransitionNotAllowed,
)

RAISED = {
    "not-permitted": NotPermitted("Only a moderator can do this."),
    "conflict": ConcurrentModification("Another moderator changed this report."),
    "transition": TransitionNotAllowed("An approved report cannot be submitted."),
    "refused": ActionRefused("Add at least one figure before submitting."),
    "fields": ValidationError({"title": "Give the report a title.", "__all__": "Bad."}),
    "plain": ValidationError("Something is wrong."),
    "question": QuestionError({"area": "Unknown area code 'XX'."}),
    "bug": RuntimeError("secret internals"),
}


class Raises(APIView):
    permission_classes = [AllowAny]

    def get(self, request, name):
        raise RAISED[name]

    def post(self, request, name):
        return Response({})


urlpatterns = [
    path("api/", include("reports.api.urls")),
    path("raise/<str:name>/", Raises.as_view()),
]


@pytest.fixture(autouse=True)
def server_errors_as_responses(api):
    # An unexpected failure must come back as the API's 500 body, not be raised in the test.
    api.raise_request_exception = False


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    ("name", "status", "expected"),
    [
        (
            "not-permitted",
            403,
            {
                "type": "client_error",
                "errors": [
                    {
                        "code": "permission_denied",
                        "detail": "Only a moderator can do this.",
                        "attr": None,
                    }
                ],
            },
        ),
        (
            "conflict",
            409,
            {
                "type": "client_error",
                "errors": [
                    {
                        "code": "conflict",
                        "detail": "Another moderator changed this report.",
                        "attr": None,
                    }
                ],
            },
        ),
        (
            "transition",
            409,
            {
                "type": "client_error",
                "errors": [
                    {
                        "code": "transition_not_allowed",
                        "detail": "An approved report cannot be submitted.",
                        "attr": None,
                    }
                ],
            },
        ),
        (
            "refused",
            422,
            {
                "type": "client_error",
                "errors": [
                    {
                        "code": "refused",
                        "detail": "Add at least one figure before submitting.",
                        "attr": None,
                    }
                ],
            },
        ),
        (
            "fields",
            400,
            {
                "type": "validation_error",
                "errors": [
                    {"code": "invalid", "detail": "Give the report a title.", "attr": "title"},
                    {"code": "invalid", "detail": "Bad.", "attr": "non_field_errors"},
                ],
            },
        ),
        (
            "plain",
            400,
            {
                "type": "validation_error",
                "errors": [
                    {"code": "invalid", "detail": "Something is wrong.", "attr": "non_field_errors"}
                ],
            },
        ),
        (
            "question",
            400,
            {
                "type": "validation_error",
                "errors": [
                    {"code": "invalid", "detail": "Unknown area code 'XX'.", "attr": "area"}
                ],
            },
        ),
        (
            "bug",
            500,
            {
                "type": "server_error",
                "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
            },
        ),
    ],
)
def test_domain_exceptions_map_to_one_shape(api, name, status, expected):
    response = api.get(f"/raise/{name}/")
    assert response.status_code == status
    assert response.json() == expected
    assert "secret internals" not in response.content.decode()


def test_wrong_method_unknown_path_and_missing_slash(api):
    response = api.delete("/api/v1/reports/")
    assert response.status_code == 405
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {"code": "method_not_allowed", "detail": 'Method "DELETE" not allowed.', "attr": None}
        ],
    }
    response = api.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["errors"] == [
        {
            "code": "not_found",
            "detail": "There is no API endpoint at /api/v1/nothing-here/; see /api/docs/.",
            "attr": None,
        }
    ]
    response = api.get("/api/v1/reports")
    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "Add a trailing slash: /api/v1/reports/"


def test_the_api_docs_page_answers_other_methods_without_a_server_error(api):
    """Its renderer has no page for OPTIONS (it answered 500, with the debug page in the demo):
    an HTML page, it now answers GET and HEAD only."""
    for method in (api.options, api.post, api.delete):
        response = method("/api/docs/")
        assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
    assert api.get("/api/docs/").status_code == 200
    assert api.options("/api/schema/").status_code == 200


def test_a_bad_api_key_is_401_in_the_same_shape(api):
    response = api.get("/api/v1/reports/", HTTP_AUTHORIZATION="Api-Key abcdefgh.wrong")
    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "authentication_failed", "detail": "Invalid API key.", "attr": None}],
    }
