"""One error shape for the whole API (drf-standardized-errors), and the one place where the
domain's exceptions become HTTP statuses (docs/api.md)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework import exceptions, serializers, status

from reports.aggregates import QuestionError
from reports.busy import BUSY_MESSAGE, RETRY_AFTER_SECONDS, is_transient
from reports.exceptions import (
    ActionRefused,
    ConcurrentModification,
    NotPermitted,
    TransitionNotAllowed,
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The resource changed; reload it and try again."
    default_code = "conflict"


class DatabaseBusy(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = BUSY_MESSAGE
    default_code = "busy"
    wait = RETRY_AFTER_SECONDS  # the handler sends it as Retry-After


class Unprocessable(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request was understood but refused."
    default_code = "refused"


def _field_errors(errors: dict) -> dict:
    """{"field": ["message", ...]} with Django's "__all__" under DRF's non-field key."""
    return {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}


# The shape: {"type": "validation_error" | "client_error" | "server_error",
#             "errors": [{"code": "...", "detail": "a sentence for a person", "attr": "field"}]}
# NotPermitted -> 403; ConcurrentModification, TransitionNotAllowed -> 409 (the report is not in
# a state that allows it); any other ActionRefused -> 422 (understood, but refused); Django's
# ValidationError and the engine's QuestionError -> 400, one entry per field; a change the
# database gave up on because of others at that moment (reports.busy), once the services'
# retries are spent -> 409 "busy" (Busy is a ConcurrentModification), and outside a service
# -> 503 "busy".
# REST_FRAMEWORK["EXCEPTION_HANDLER"] points at exception_handler below.
def domain_to_api(exc: Exception) -> Exception:
    """The DRF exception a domain exception stands for (others are returned unchanged)."""
    if isinstance(exc, NotPermitted):
        # DRF's own code, so the response matches the documented 403 shape.
        return exceptions.PermissionDenied(exc.message)
    if isinstance(exc, ConcurrentModification | TransitionNotAllowed):
        return Conflict(exc.message, code=exc.code)
    if isinstance(exc, ActionRefused):
        return Unprocessable(exc.message, code=exc.code)
    if is_transient(exc):
        return DatabaseBusy()
    if isinstance(exc, QuestionError):
        return exceptions.ValidationError(_field_errors({k: [v] for k, v in exc.errors.items()}))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return exceptions.ValidationError(_field_errors(exc.message_dict))
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    return exc


class DomainExceptionHandler(ExceptionHandler):
    def convert_known_exceptions(self, exc: Exception) -> Exception:
        return super().convert_known_exceptions(domain_to_api(exc))


def exception_handler(exc, context):
    return DomainExceptionHandler(exc, context).run()


# --- how the errors are documented (DRF_STANDARDIZED_ERRORS["ERROR_SCHEMAS"]) -----------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable: invalid, required, not_found ...")
    detail = serializers.CharField(help_text="A sentence for a person.")
    attr = serializers.CharField(
        allow_null=True, help_text="The parameter or field it is about (null: the request)."
    )


class BadRequestSerializer(serializers.Serializer):
    """400: one entry per bad parameter or field, including unknown parameters (named by
    `attr`), so a client can show each message next to its field."""

    type = serializers.ChoiceField(choices=["validation_error", "client_error"])
    errors = ErrorSerializer(many=True)
