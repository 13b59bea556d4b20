"""The history of changes to sources, events, organisations, memberships, API clients and
accounts (django-simple-history): a full copy of the row at each save, with who saved it (the
request's user, or the `actor` a service sets as `_history_user`) and when."""

from typing import Any

from django.contrib.auth import get_user_model
from simple_history import register
from simple_history.models import HistoricalRecords


class ChangeHistory(HistoricalRecords):
    """simple-history's records, less the saves that touch only fields kept out of the history
    (a sign-in stamping `last_login`): they would record a copy identical to the last one."""

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        fields = kwargs.get("update_fields")
        if not created and fields and set(fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)


# Accounts: never the password hash (not even hashed does it belong in a readable history),
# nor the time of the last sign-in (the access record and the server log keep sign-ins).
ACCOUNT_EXCLUDED = ["password", "last_login"]

register(
    get_user_model(),
    app="reports",
    records_class=ChangeHistory,
    excluded_fields=ACCOUNT_EXCLUDED,
    verbose_name="historical account",
)
