"""Load the demonstration data set and print the demo accounts."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from reports import demo


class Command(BaseCommand):
    help = "Load demonstration reports from real 2023 Karenni State reporting (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. Demo accounts share a published password.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo accounts have a "
                "published password. Use --force if you really mean it."
            )
        # Demo decisions must not e-mail anyone.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            try:
                loaded = demo.load_demo(out=self.stdout.write)
            except demo.DemoConflict as error:
                raise CommandError(str(error)) from error
        if loaded:
            self.stdout.write(self.style.SUCCESS("Demonstration data loaded."))
        else:
            self.stdout.write("Demonstration data already loaded: nothing changed.")
        self.stdout.write(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
        for account in demo.ACCOUNTS:
            self.stdout.write(f"  {account.username:<11} {account.description}")
