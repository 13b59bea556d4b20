"""Register an API client from the shell and print its key (once)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from reports.exceptions import ActionRefused
from reports.models import Organization
from reports.services import api_client_create


class Command(BaseCommand):
    help = "Register an API client for an organisation and print its key, which is not stored."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The system that will use the key, e.g. 'KoboToolbox'.")
        parser.add_argument("--organization", required=True, help="The organisation's name.")
        parser.add_argument(
            "--scope",
            action="append",
            choices=["read", "submit"],
            default=None,
            help="read (public data) and/or submit (reports for its organisation); default read.",
        )
        parser.add_argument("--admin", required=True, help="Username of the administrator.")

    def handle(self, *args, name, organization, scope, admin, **options):
        scopes = set(scope or ["read"])
        try:
            actor = get_user_model().objects.get(username=admin)
            org = Organization.objects.get(name=organization)
        except (get_user_model().DoesNotExist, Organization.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        try:
            client, key = api_client_create(
                actor=actor,
                name=name,
                organization=org,
                can_read="read" in scopes,
                can_submit="submit" in scopes,
            )
        except (ValidationError, ActionRefused) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        self.stdout.write(f"Registered {client} with scopes {', '.join(client.scopes)}.")
        self.stdout.write("Its key (shown only now; send it as 'Authorization: Api-Key <key>'):")
        self.stdout.write(key)
