"""The types the domain's modules share: who acts in a service, and who reads."""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

# A signed-in person, or an API client's service user: every service's `actor`.
Actor: TypeAlias = User
# Whoever asks to see something, signed in or not: what permissions and selectors decide for.
Viewer: TypeAlias = User | AnonymousUser
