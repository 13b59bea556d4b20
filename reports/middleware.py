"""Pages that show what is not public (the partner, moderation, account and admin areas) are
never kept by a browser or a proxy: phones are shared, lost and seized."""

from django.utils.cache import add_never_cache_headers

PRIVATE_AREAS = frozenset({"partner", "moderation", "accounts", "admin"})


class NoStoreForPrivatePages:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and PRIVATE_AREAS.intersection(match.namespaces):
            add_never_cache_headers(response)
        return response
