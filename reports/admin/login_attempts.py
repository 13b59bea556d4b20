"""Failed sign-ins in the Django admin (django-axes' records): who tried which username from
which address, and until when a paused account or address stays paused. Deleting an attempt
ends its pause early; the log of every failure and sign-in is read-only."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils import timezone

from reports import login_protection


class PausedNowFilter(admin.SimpleListFilter):
    title = "paused now"
    parameter_name = "paused"

    def lookups(self, request, model_admin):
        return (("yes", "Yes"), ("no", "No"))

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        paused = [attempt.pk for attempt in queryset if _paused_until(attempt)]
        if self.value() == "yes":
            return queryset.filter(pk__in=paused)
        return queryset.exclude(pk__in=paused)


def _paused_until(attempt: AccessAttempt):
    return login_protection.locked_until(username=attempt.username, ip_address=attempt.ip_address)


class LoginAttemptAdmin(AccessAttemptAdmin):
    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "failures_since_start",
        "account_paused_until",
        "address_paused_until",
        "user_agent",
    ]
    list_filter = ["attempt_time", PausedNowFilter]
    ordering = ["-attempt_time"]

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="account paused until")
    def account_paused_until(self, obj: AccessAttempt):
        return _local(login_protection.account_locked_until(obj.username))

    @admin.display(description="address paused until")
    def address_paused_until(self, obj: AccessAttempt):
        return _local(login_protection.address_locked_until(obj.ip_address))


def _local(moment):
    return timezone.localtime(moment) if moment else "-"


class LoginFailureAdmin(AccessFailureLogAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SignInAdmin(AccessLogAdmin):
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(AccessAttempt, LoginAttemptAdmin)
admin.site.register(AccessFailureLog, LoginFailureAdmin)
admin.site.register(AccessLog, SignInAdmin)
