"""Rates per API client, per signed-in account and per anonymous address, from settings
(TRACKER_API_CLIENT_RATE, TRACKER_API_USER_RATE, TRACKER_API_ANON_RATE); 429 with Retry-After."""

from django.conf import settings
from rest_framework import exceptions, throttling

from .auth import client_of


class ClientRateThrottle(throttling.SimpleRateThrottle):
    """One budget per API client, whichever endpoint it calls."""

    scope = "api_client"

    def get_rate(self):
        return settings.TRACKER_API_CLIENT_RATE

    def get_cache_key(self, request, view):
        client = client_of(request)
        if client is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client.pk}


class SessionUserRateThrottle(throttling.SimpleRateThrottle):
    """One budget per signed-in account using the API without a key (its browser session)."""

    scope = "api_user"

    def get_rate(self):
        return settings.TRACKER_API_USER_RATE

    def get_cache_key(self, request, view):
        if client_of(request) is not None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(throttling.AnonRateThrottle):
    """Anonymous readers by address; TRACKER_API_ANON_RATE=off turns anonymous access away."""

    def get_rate(self):
        rate = settings.TRACKER_API_ANON_RATE
        return None if rate == "off" else rate

    def allow_request(self, request, view):
        if request.user and request.user.is_authenticated:
            return True
        if settings.TRACKER_API_ANON_RATE == "off":
            raise exceptions.NotAuthenticated(
                "This tracker's API needs a key: send 'Authorization: Api-Key <key>'."
            )
        return super().allow_request(request, view)
