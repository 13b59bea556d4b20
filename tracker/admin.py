"""The admin site is the moderation area: only active moderators and administrators enter."""

from django.contrib import admin

from reports import permissions


class TrackerAdminSite(admin.AdminSite):
    site_header = "Karenni displacement & civilian harm tracker"
    site_title = "Tracker admin"
    index_title = "Moderation and data"

    def has_permission(self, request):
        # Being staff is not enough: a partner marked staff by mistake must still be kept out
        # of other organisations' reports, internal notes and confidential sources.
        return request.user.is_staff and permissions.is_moderator(request.user)
