"""Sign-in, sign-out, the start page after sign-in, the second factor, and password changes and
resets."""

from django.urls import path

from reports.views import accounts, second_factor

app_name = "accounts"

urlpatterns = [
    path("login/", accounts.login, name="login"),
    path("logout/", accounts.logout, name="logout"),
    path("start/", accounts.start, name="start"),
    path("second-factor/", second_factor.overview, name="second_factor"),
    path("second-factor/set-up/", second_factor.setup, name="second_factor_setup"),
    path("second-factor/verify/", second_factor.verify, name="second_factor_verify"),
    path(
        "second-factor/recovery-codes/",
        second_factor.new_recovery_codes,
        name="second_factor_recovery_codes",
    ),
    path("password/change/", accounts.password_change, name="password_change"),
    path("password/change/done/", accounts.password_change_done, name="password_change_done"),
    path("password/reset/", accounts.password_reset, name="password_reset"),
    path("password/reset/sent/", accounts.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        accounts.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", accounts.password_reset_complete, name="password_reset_complete"),
]
