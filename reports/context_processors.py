"""What the page header needs to know about the person: which areas to link to."""

from . import permissions
from .services import notifications


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


def inbox(request):
    """How many of the person's notices are unread, for the header's inbox link: one COUNT
    for a signed-in person, None (no link) otherwise."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": None}
    return {"inbox_unread": notifications.unread_count(user)}
