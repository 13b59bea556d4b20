"""Load the demonstration data set and print the demo accounts; also a demo API client for the
API partner's organisation and a demo KoboToolbox form, whose key and link are printed once."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse

from reports import demo
from reports.models import ApiClient, KoboForm, Organization
from reports.services import api_client_create, kobo_form_create

API_PARTNER = next(a for a in demo.ACCOUNTS if a.username == "apipartner")
DEMO_CLIENT = "Regional Data Hub sync (demo)"
DEMO_FORM = "Karenni displacement incidents (demo)"
# The demo form's ids in KoboToolbox (invented): only its submissions are taken.
DEMO_KOBO_ASSET_UID = "aKr7dSpL9cMnT2qW4xZb6N"
DEMO_KOBO_FORM_UUID = "9e1f4c2a7b3d4e5f8a6b0c1d2e3f4a5b"
# A monitor's incident form: where, when, what, and the counts people give at the scene.
DEMO_MAPPING = {
    "title": "group_event/event_title",
    "place_pcode": "group_event/place_pcode",
    "start_date": "group_event/date_start",
    "end_date": "group_event/date_end",
    "cause": "group_event/cause",
    "public_summary": "group_event/summary",
    "internal_notes": "group_event/notes",
    "geolocation": True,
    "figures": {
        "newly_displaced": {"path": "group_figures/people_displaced", "qualifier": "approximately"},
        "killed": "group_figures/civilians_killed",
        "injured": "group_figures/civilians_injured",
        "homes_destroyed": {"path": "group_figures/homes_destroyed", "qualifier": "at_least"},
        "religious_buildings_damaged": "group_figures/religious_buildings_damaged",
        "schools_damaged": "group_figures/schools_damaged",
    },
    "tags": ["KoboToolbox"],
}


def load_demo_partner_api(*, base_url: str, out) -> bool:
    """The API partner organisation's demo client (read + submit) and a Kobo form filing drafts
    through it, each made once; False (and nothing printed) if both are there. The key and the
    link are printed only when made: they are stored hashed and cannot be shown again."""
    organization = Organization.objects.get(name=demo.ORGANIZATIONS[API_PARTNER.organization])
    admin = get_user_model().objects.get(username="admin")
    made = False
    with transaction.atomic():
        client = ApiClient.objects.filter(name=DEMO_CLIENT, organization=organization).first()
        if client is None:
            client, key = api_client_create(
                actor=admin,
                name=DEMO_CLIENT,
                organization=organization,
                can_read=True,
                can_submit=True,
            )
            made = True
            out(
                f"Demo API client {DEMO_CLIENT!r} for {organization} (scopes: read, submit). "
                "Its key, shown only now (send it as 'Authorization: Api-Key <key>'):"
            )
            out(f"  {key}")
            out(
                "  Lost it? Register another: manage.py create_api_client "
                f'"<name>" --organization "{organization}" --scope read --scope submit '
                "--admin admin"
            )
        if not KoboForm.objects.filter(name=DEMO_FORM).exists():
            _, token = kobo_form_create(
                actor=admin,
                name=DEMO_FORM,
                client=client,
                mapping=DEMO_MAPPING,
                kobo_asset_uid=DEMO_KOBO_ASSET_UID,
                kobo_form_uuid=DEMO_KOBO_FORM_UUID,
            )
            made = True
            link = base_url.rstrip("/") + reverse("api-kobo-ingest", args=[token])
            out(
                f"Demo KoboToolbox form {DEMO_FORM!r}: its REST Services endpoint, shown only "
                "now (admin action 'Give the selected forms a new link' makes another):"
            )
            out(f"  {link}")
            out(
                f"  It takes submissions of Kobo form {DEMO_KOBO_ASSET_UID} "
                f"(formhub/uuid {DEMO_KOBO_FORM_UUID}) only; see docs/kobo.md."
            )
    return made


class Command(BaseCommand):
    help = "Load demonstration reports from real 2023 Karenni State reporting (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even with DEBUG off. Demo accounts share a published password.",
        )
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the tracker is served, for the demo Kobo form's link (default: "
            "that of `make demo`).",
        )

    def handle(self, *args, force=False, base_url="http://127.0.0.1:8000", **options):
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
            perpetrators_made = demo.load_demo_perpetrators(out=self.stdout.write)
        # After the reports: a database loaded before the demo had an API client gets one now.
        api_made = load_demo_partner_api(base_url=base_url, out=self.stdout.write)
        second_factor_made = demo.load_demo_second_factor()
        context_made = demo.load_demo_context_events(out=self.stdout.write)
        if loaded:
            self.stdout.write(self.style.SUCCESS("Demonstration data loaded."))
        elif api_made or second_factor_made or context_made or perpetrators_made:
            if perpetrators_made:
                self.stdout.write(self.style.SUCCESS("Demo parties to the conflict added."))
            if api_made:
                self.stdout.write(self.style.SUCCESS("Demo API client and Kobo form added."))
            if second_factor_made:
                self.stdout.write(self.style.SUCCESS("Demo second factor added."))
            if context_made:
                self.stdout.write(self.style.SUCCESS("Demo context events added."))
        else:
            self.stdout.write("Demonstration data already loaded: nothing changed.")
        self.stdout.write(f"Demo accounts (password for all: {demo.DEMO_PASSWORD}):")
        for account in demo.ACCOUNTS:
            self.stdout.write(f"  {account.username:<11} {account.description}")
        self.stdout.write(
            "admin and moderator also give a second factor after the password (demo only: "
            "a real account sets up its own). Either add this key to an authenticator app:\n"
            f"  {demo.demo_totp_key_for_typing()}\n"
            "or run `python manage.py demo_code` for the current code, or use a recovery code "
            "(each works once):"
        )
        for username, codes in demo.DEMO_RECOVERY_CODES.items():
            self.stdout.write(f"  {username:<11} {' '.join(codes)}")
