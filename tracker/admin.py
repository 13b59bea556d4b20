"""The admin site is the moderation area: only active moderators and administrators enter."""

from django.contrib import admin, messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from reports import permissions, second_factor


class TrackerAdminSite(admin.AdminSite):
    site_header = "Karenni displacement & civilian harm tracker"
    site_title = "Tracker admin"
    index_title = "Moderation and data"

    def has_permission(self, request):
        # Being staff is not enough: a partner marked staff by mistake must still be kept out
        # of other organisations' reports, internal notes and confidential sources.
        # And only after the second factor (SecondFactorRequired sends them to it first; this
        # keeps the admin shut should a page of it ever escape that check).
        return (
            request.user.is_staff
            and permissions.is_moderator(request.user)
            and second_factor.is_verified(request)
        )

    def login(self, request, extra_context=None):
        # Everyone logs in on the tracker's one login page (translated, light); someone logged
        # in who is not a moderator is sent to their own start page with a word of why.
        if not request.user.is_authenticated:
            return redirect_to_login(
                request.GET.get("next") or reverse("admin:index", current_app=self.name)
            )
        if not self.has_permission(request):
            messages.info(request, _("The moderation admin is for moderators only."))
            return redirect("accounts:start")
        return super().login(request, extra_context)
