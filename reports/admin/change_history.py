"""The History button of the admin pages of sources, events, organisations, memberships, API
clients and accounts: django-simple-history's list of versions, who saved each and what
changed. Read-only: a past version can be looked at, never saved back."""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ChangeHistoryAdmin(SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed past version ("revert") for anyone who may merely
        # view the history, past the services and their rules; its setting only hides the
        # button. Changes go through the change page.
        if request.method != "GET":
            raise PermissionDenied("A past version cannot be saved back.")
        return super().history_form_view(request, object_id, version_id, extra_context)
