"""What the page header needs to know about the person: which areas to link to."""

from . import permissions


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "moderator": permissions.is_moderator(user),
            "partner": permissions.is_field_partner(user),
        }
    }
