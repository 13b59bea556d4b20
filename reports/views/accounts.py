"""Accounts for everyone: Django's own log-in, log-out, password reset and change views, and
the start page that sends each person to the part of the tracker made for their role."""

import logging

from axes.models import AccessAttempt
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reports import permissions, tasks

logger = logging.getLogger(__name__)


def start_page_names(user) -> tuple[str, str]:
    """The one place that decides each role's start page: (URL name, fallback while that
    page is not built). Only those the admin admits fall back to it: it would send anyone
    else straight back here."""
    if permissions.is_moderator(user):
        return "moderation:queue", "admin:index" if user.is_staff else "home"
    if permissions.is_field_partner(user):
        return "partner:reports", "home"
    return "dashboard:index", "home"


def start_url(user) -> str:
    name, fallback = start_page_names(user)
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(fallback)


@login_required
def start(request):
    """After logging in (LOGIN_REDIRECT_URL): a safe `next` wins, else the role's page."""
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(start_url(request.user))


class PlainLabels:
    """Labels without Django's trailing colon, as on the tracker's other forms."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "label_suffix": ""}


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django labels it with the user model's verbose name, which its Burmese catalogue
        # lacks; ours has it.
        self.fields["username"].label = _("Username")


class LoginView(PlainLabels, auth_views.LoginView):
    authentication_form = LoginForm


class PasswordChangeView(PlainLabels, auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordResetView(PlainLabels, auth_views.PasswordResetView):
    """Queues the link for any well-formed address and answers at once: looking the address
    up and talking to the mail server happen in the worker, so neither the answer nor its
    time tells whether an account has that address."""

    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        request = self.request
        arguments = {
            "email": form.cleaned_data["email"],
            "domain": request.get_host(),
            "use_https": request.is_secure(),
            "language": get_language(),
        }
        try:
            tasks.send_password_reset.delay(**arguments)
        except Exception:
            # Without a broker the task runs here and now: a mail server's failure must not
            # answer differently from an unknown address. Logged for the administrators.
            logger.exception("The password reset link could not be queued or sent.")
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(PlainLabels, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        # Whoever reads the account's e-mail may choose its password, so a pause from wrong
        # guesses need not keep them out any longer (the address's count stays).
        response = super().form_valid(form)
        AccessAttempt.objects.filter(username=self.user.get_username()).delete()
        return response


# Everything else (CSRF, a safe `next`, one message for a wrong name or a wrong password,
# reset links that work once) is Django's own; pauses after wrong passwords are django-axes'
# (reports/login_protection.py).
login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()
password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view()
password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view()
