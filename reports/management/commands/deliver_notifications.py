"""E-mail the outbox's unsent notices whose time has come: the sweep Celery beat runs every
minute, for a deployment without beat (run it from cron every minute or so). Safe beside
workers and other runs of itself: each notice is claimed before it is sent."""

from django.core.management.base import BaseCommand

from reports.services import notifications


class Command(BaseCommand):
    help = (
        "Send the notices still unsent (a failed e-mail, a broker that was down, a worker that "
        "died), oldest first; a failure waits longer before each new attempt (up to an hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            default=notifications.SWEEP_LIMIT,
            help="At most this many notices in this run.",
        )

    def handle(self, *args, limit, **options):
        done = notifications.deliver_due(limit=max(limit, 1))
        self.stdout.write(
            f"Notices: {done['sent']} sent, {done['not sent']} needing no e-mail, "
            f"{done['failed']} failed (retried later)."
        )
