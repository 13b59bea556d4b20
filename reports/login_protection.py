"""Protection against password guessing, on top of django-axes: one account is paused after
TRACKER_LOGIN_FAILURE_LIMIT failed sign-ins from anywhere, one address after
TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT failures on any accounts, each for
TRACKER_LOGIN_COOLOFF_MINUTES after the failure that reached the limit.

Why two limits: field partners share phones and mobile networks put many people behind one
address (carrier-grade NAT), so a tight limit per address would lock out a whole office for
one person's typing; a tight limit per account stops guessing one password from many
addresses, and the looser one per address stops trying a few passwords on every account."""

from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from .dates import day


def client_address(request) -> str:
    """The address a failure is counted against: the one DRF's rate limits use, so that
    TRACKER_PROXIES (REST_FRAMEWORK's NUM_PROXIES) decides both; with no proxy, the
    connection's own address, whatever X-Forwarded-For says."""
    return BaseThrottle().get_ident(request)


def cool_off(request=None) -> timedelta:
    """How long a lock lasts (AXES_COOLOFF_TIME), read at each use so tests can change it."""
    return timedelta(minutes=settings.TRACKER_LOGIN_COOLOFF_MINUTES)


def _locked_until(attempts: QuerySet[AccessAttempt], limit: int) -> datetime | None:
    """When the failures in `attempts` stop reaching `limit`: a row counts for its failures
    until its last failure is a cool-off old, so the lock ends when the row that completed
    the limit (counting from the newest) expires. None when not locked."""
    window_start = timezone.now() - cool_off()
    failures = 0
    for attempt_time, count in (
        attempts.filter(attempt_time__gte=window_start)
        .order_by("-attempt_time")
        .values_list("attempt_time", "failures_since_start")
    ):
        failures += count
        if failures >= limit:
            return attempt_time + cool_off()
    return None


def account_locked_until(username: str | None) -> datetime | None:
    return _locked_until(
        AccessAttempt.objects.filter(username=username), settings.TRACKER_LOGIN_FAILURE_LIMIT
    )


def address_locked_until(ip_address: str | None) -> datetime | None:
    return _locked_until(
        AccessAttempt.objects.filter(ip_address=ip_address),
        settings.TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT,
    )


def locked_until(*, username: str | None, ip_address: str | None) -> datetime | None:
    """The end of whichever lock holds for this account and address (the later of the two)."""
    ends = [t for t in (account_locked_until(username), address_locked_until(ip_address)) if t]
    return max(ends, default=None)


class AccountAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per account and another per address.

    Axes compares one number with AXES_FAILURE_LIMIT (set to the account limit), the largest
    count over AXES_LOCKOUT_PARAMETERS (["username", "ip_address"]); the address's count is
    scaled to it, so it reaches that limit exactly when it reaches the address limit."""

    def get_failures(self, request, credentials=None) -> int:
        by_account, by_address = (
            sum(attempts.values_list("failures_since_start", flat=True))
            for attempts in self.get_user_attempts(request, credentials)
        )
        account_limit = settings.TRACKER_LOGIN_FAILURE_LIMIT
        address_limit = settings.TRACKER_LOGIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, by_address * account_limit // address_limit)

    def user_logged_in(self, sender, request, user, **kwargs):
        # Signing in proves the password is known: the account's own failures are forgotten.
        # The address's are not, or one valid account would reset a guesser's budget there.
        # Someone who owes a second factor has not finished signing in: their failures (wrong
        # codes count too) are forgotten only when the code is right (second_factor.verified),
        # or the right password would buy a fresh budget of code guesses.
        from .second_factor import owes_second_factor

        super().user_logged_in(sender, request, user, **kwargs)
        if not owes_second_factor(user):
            AccessAttempt.objects.filter(username=user.get_username()).delete()


def lockout_response(request, original_response=None, credentials=None):
    """The page a paused sign-in gets (AXES_LOCKOUT_CALLABLE): when to try again, in plain
    words, the same whether or not the account exists (axes counts the name as typed)."""
    until = locked_until(
        username=get_client_username(request, credentials),
        ip_address=getattr(request, "axes_ip_address", None) or client_address(request),
    ) or (timezone.now() + cool_off())
    response = render(
        request,
        "registration/locked_out.html",
        # The day through the project's month names (Django's Burmese catalogue has none).
        {"until": until, "day": day(timezone.localtime(until).date())},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(max(int((until - timezone.now()).total_seconds()), 1))
    return response
