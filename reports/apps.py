"""The reports app: the roles are synced after every migrate, and summaries a migration put
off are rebuilt then (aggregates/summaries/migrating.py)."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from .roles import sync_roles

    sync_roles()


def _rebuild_deferred(sender, using="default", **kwargs):
    from django.db import connections

    from .aggregates.summaries.migrating import rebuild_if_deferred

    rebuild_if_deferred(connections[using])


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        # Permissions exist only after migrate's own post_migrate handler, so the roles are
        # synced after it; this is set-up, not domain logic.
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="reports.sync_roles")
        # Summaries counts that migrations put off, once every migration has run.
        post_migrate.connect(
            _rebuild_deferred, sender=self, dispatch_uid="reports.rebuild_deferred"
        )
        # The language a person signs in with is the one their e-mails are written in.
        from django.contrib.auth.signals import user_logged_in

        from .services.notifications import remember_language_at_login

        user_logged_in.connect(remember_language_at_login, dispatch_uid="reports.language")
        # Exports asked for anonymously in this browser follow the person who signs in.
        from .services.exports import adopt_session_jobs

        user_logged_in.connect(adopt_session_jobs, dispatch_uid="reports.export_jobs")
