"""The second factor (issue 12): who must sign in with one, the one check that keeps everyone
else who owes one out of the pages that show what is not public, and the devices behind it
(django-otp: an authenticator app's TOTP secret, and ten recovery codes that work once each).

Moderators and administrators must have one; anyone else may turn it on, and then owes it as
well. A wrong code counts as a failed sign-in for django-axes (reports/login_protection.py), so
the same pause stops someone who knows a password from guessing codes; django-otp's own
throttling also makes each device wait 1, 2, 4, 8 ... seconds after each wrong code."""

import io
from urllib.parse import urlencode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import permissions
from .middleware import RECORDED_AREAS

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "authenticator app"
RECOVERY_NAME = "recovery codes"

# Pages of the protected areas that must stay open to someone who has not finished signing in:
# signing out (the admin's sends them to the tracker's own page anyway).
OPEN = frozenset({"admin:logout", "admin:login", "admin:jsi18n"})


def app_device(user) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they have set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_set_up(user) -> bool:
    return user.is_authenticated and app_device(user) is not None


def is_required(user) -> bool:
    """Moderators and administrators (whoever may moderate) must have a second factor."""
    return permissions.is_moderator(user)


def owes_second_factor(user) -> bool:
    """Must prove a second factor before seeing what is not public: everyone who must have
    one, and everyone who chose to set one up."""
    return user.is_authenticated and (is_required(user) or is_set_up(user))


def is_verified(request) -> bool:
    return getattr(request.user, "otp_device", None) is not None


def step_owed(request) -> str | None:
    """ "setup", "verify" or None: what this signed-in person still has to do."""
    user = request.user
    if not owes_second_factor(user) or is_verified(request):
        return None
    return "verify" if is_set_up(user) else "setup"


def redirect_to_step(request, step: str):
    url = reverse(f"accounts:second_factor_{step}")
    return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


def protects(match) -> bool:
    """The pages that show what is not public: every page the access record records (the
    moderation, partner and admin areas, and downloads of non-public data marked with
    `recorded_as`), the same list, so a new page of those areas is protected by being there."""
    if match.view_name in OPEN:
        return False
    if getattr(match.func, "access_kind", None) is not None:
        return True
    return any(namespace in RECORDED_AREAS for namespace in match.namespaces)


class SecondFactorRequired:
    """The one check: a signed-in person who owes a second factor and has not given it in this
    session is sent to set one up (no device yet) or to enter a code, with `next` to come back.

    The partner API is not behind it: its reads are the public shape for everyone, and
    only an API client's key may submit (API keys have no second factor; they are made by an
    administrator, stored hashed and revocable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not request.user.is_authenticated or not protects(match):
            return None
        step = step_owed(request)
        return redirect_to_step(request, step) if step else None


# --- devices --------------------------------------------------------------------------------


def pending_app_device(user) -> TOTPDevice:
    """The unconfirmed secret being set up (made once, so reloading the page keeps the QR code
    the person may already have scanned)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed (base32), in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG drawn on the server (no script, no style
    attribute, nothing fetched): the Content-Security-Policy allows it as it is."""
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", xmldecl=False, border=2, svgclass=None, lineclass=None, omitsize=True
    )
    return buffer.getvalue().decode()


def normalized(code: str) -> str:
    """What people type, as the devices store it: no spaces or dashes, lower case."""
    return "".join(code.split()).replace("-", "").lower()


def check_code(user, code: str):
    """The device that accepts `code` (an authenticator code, or a recovery code, which is
    then used up), or None. Only the device the code's shape fits is tried, so a recovery code
    does not count as a wrong app code too."""
    code = normalized(code)
    if code.isascii() and code.isdigit() and len(code) == 6:
        device = app_device(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or (not settings.DEBUG and is_demo_device(device)):
        return None
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        return device if device.verify_token(code) else None


def is_demo_device(device) -> bool:
    """A device made by load_demo: its key and recovery codes are published in the README, so
    with DEBUG off (production) it never lets anyone in."""
    from .demo import DEMO_RECOVERY_CODES, DEMO_TOTP_KEY

    if isinstance(device, TOTPDevice):
        return device.key == DEMO_TOTP_KEY
    published = {code for codes in DEMO_RECOVERY_CODES.values() for code in codes}
    return device.token_set.filter(token__in=published).exists()


def wait_until(user):
    """When the person's devices accept a code again after wrong ones (django-otp's
    throttling), or None if they accept one now."""
    ends = []
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            allowed, detail = device.verify_is_allowed()
            if not allowed and detail and detail.get("locked_until"):
                ends.append(detail["locked_until"])
    return max(ends, default=None)


@transaction.atomic
def confirm_app_device(request, device: TOTPDevice, code: str) -> bool:
    """Set-up: the first code from the app proves it holds the secret. The device is then the
    person's only authenticator app, and this session counts as verified."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(normalized(code)):
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    verified(request, device)
    return True


def verified(request, device) -> None:
    """This session has proved the second factor: remember the device in it, and (now that
    the person has fully signed in) forget the account's failed sign-ins, as a password does
    for those without a second factor."""
    otp_login(request, device)
    AccessAttempt.objects.filter(username=request.user.get_username()).delete()


@transaction.atomic
def new_recovery_codes(user) -> list[str]:
    """Ten fresh recovery codes, replacing any earlier ones (shown once, stored as django-otp
    stores them)."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- wrong codes and the sign-in pause ------------------------------------------------------


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def is_paused(request) -> bool:
    """The account or the address is paused after too many wrong passwords or codes."""
    return AxesProxyHandler.is_locked(request, _credentials(request.user))


def count_wrong_code(request) -> None:
    """A wrong code is a failed sign-in for django-axes: it counts towards the account's and
    the address's pause, and axes' middleware answers with the pause page when it completes
    one (request.axes_locked_out)."""
    credentials = _credentials(request.user)
    # For the pause page axes' middleware renders, which reads the name from them.
    request.axes_credentials = credentials
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)


def forget_session_device(request) -> None:
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
