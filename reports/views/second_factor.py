"""The second-factor pages (reports/second_factor.py has the rule): the account's overview,
setting up an authenticator app (a QR code drawn on the server and the secret as text), the
code asked after the password, and new recovery codes, each shown once. All are under
accounts/, so they answer with Cache-Control: no-store (reports/middleware.py)."""

import logging
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from reports import second_factor
from reports.login_protection import lockout_response

logger = logging.getLogger(__name__)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, **kwargs):
        # No trailing colon, as on the tracker's other forms.
        super().__init__(*args, label_suffix="", **kwargs)


class VerifyForm(CodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].help_text = _(
            "The six digits your authenticator app shows now, or one of your recovery codes."
        )
        # Recovery codes have letters too.
        self.fields["code"].widget.attrs["inputmode"] = "text"


def _next(request) -> str:
    """A safe `next` (from the query or the form), else the person's start page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("accounts:start")


def _to(name: str, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': _next(request)})}")


def _paused(request):
    """Too many wrong passwords or codes: the session ends and the pause page says when to
    try again (the same page a paused sign-in gets)."""
    credentials = {"username": request.user.get_username()}
    logout(request)
    return lockout_response(request, credentials=credentials)


def _throttled_message(until) -> str:
    return gettext("Too many wrong codes. Try again after %(time)s.") % {
        "time": time_format(timezone.localtime(until), "H:i:s")
    }


@login_required
def overview(request):
    """The account's second factor: set up or not, recovery codes left, and what to do."""
    user = request.user
    return render(
        request,
        "accounts/second_factor.html",
        {
            "set_up": second_factor.is_set_up(user),
            "required": second_factor.is_required(user),
            "verified": second_factor.is_verified(request),
            "codes_left": second_factor.recovery_codes_left(user),
        },
    )


@login_required
def setup(request):
    """Scan the QR code (or type the secret), then enter the app's code: the device is
    confirmed, this session verified, and the recovery codes shown once."""
    user = request.user
    if second_factor.is_set_up(user):
        # A second device is added only by someone who already proved the first (none yet:
        # lost devices are reset by an administrator).
        return _to("accounts:second_factor_verify", request)
    device = second_factor.pending_app_device(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            until = second_factor.wait_until(user) or _pending_wait(device)
            if until:
                form.add_error("code", _throttled_message(until))
            elif second_factor.confirm_app_device(request, device, form.cleaned_data["code"]):
                logger.info("second factor set up by %s", user.get_username())
                return render(
                    request,
                    "accounts/second_factor_codes.html",
                    {
                        "codes": second_factor.new_recovery_codes(user),
                        "next": _next(request),
                        "first_time": True,
                    },
                )
            else:
                form.add_error(
                    "code",
                    gettext(
                        "That code is not right. Check that the app's clock is right and enter "
                        "the code it shows now."
                    ),
                )
        status = 400
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "qr_code": second_factor.qr_code_svg(device),
            "secret": second_factor.secret_for_typing(device),
            "required": second_factor.is_required(user),
            "next": _next(request),
        },
        status=status,
    )


def _pending_wait(device):
    allowed, detail = device.verify_is_allowed()
    return None if allowed else (detail or {}).get("locked_until")


@login_required
def verify(request):
    """The code asked after the password. Wrong codes count towards the sign-in pause."""
    user = request.user
    if not second_factor.is_set_up(user):
        return _to("accounts:second_factor_setup", request)
    if second_factor.is_verified(request):
        return redirect(_next(request))
    form = VerifyForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if second_factor.is_paused(request):
            return _paused(request)
        if form.is_valid():
            until = second_factor.wait_until(user)
            if until:
                form.add_error("code", _throttled_message(until))
            else:
                device = second_factor.check_code(user, form.cleaned_data["code"])
                if device is not None:
                    second_factor.verified(request, device)
                    if device.persistent_id.startswith("otp_static"):
                        messages.warning(
                            request,
                            gettext(
                                "You used a recovery code; %(left)s are left. Make new ones "
                                "on your account's second factor page."
                            )
                            % {"left": second_factor.recovery_codes_left(user)},
                        )
                    return redirect(_next(request))
                logger.info("wrong second-factor code for %s", user.get_username())
                second_factor.count_wrong_code(request)
                if getattr(request, "axes_locked_out", False):
                    return _paused(request)
                form.add_error("code", gettext("That code is not right."))
        status = 400
    return render(
        request,
        "accounts/second_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=status,
    )


@require_POST
@login_required
def new_recovery_codes(request):
    """New recovery codes replace the old ones; only a session that gave its code may ask."""
    if not second_factor.is_verified(request):
        return redirect("accounts:second_factor")
    return render(
        request,
        "accounts/second_factor_codes.html",
        {
            "codes": second_factor.new_recovery_codes(request.user),
            "next": reverse("accounts:second_factor"),
            "first_time": False,
        },
    )
