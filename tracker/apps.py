"""The admin app, configured to use the tracker's own admin site (tracker/admin.py)."""

from django.contrib.admin.apps import AdminConfig


class TrackerAdminConfig(AdminConfig):
    default_site = "tracker.admin.TrackerAdminSite"
