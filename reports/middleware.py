"""Pages that show what is not public (the partner, moderation, account and admin areas, and
the API's answers to a submission) are never kept by a browser or a proxy: phones are shared,
lost and seized. The public pages, the public API reads and the API docs may be cached."""

from django.utils.cache import add_never_cache_headers

# URL namespaces whose every page is private ("two_factor": the second-factor set-up pages,
# which show the secret, if they are mounted under that namespace).
PRIVATE_AREAS = frozenset({"partner", "moderation", "accounts", "admin", "two_factor"})
# The API's write endpoints answer with what a partner sent (ids of unapproved reports, the
# reasons a submission was held back).
PRIVATE_URL_NAMES = frozenset({"api-submissions", "api-kobo-ingest"})


def is_private(match) -> bool:
    return bool(PRIVATE_AREAS.intersection(match.namespaces)) or match.url_name in (
        PRIVATE_URL_NAMES
    )


class NoStoreForPrivatePages:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and is_private(match):
            add_never_cache_headers(response)
        return response
