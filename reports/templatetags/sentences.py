"""A sentence ended as the page's language ends one: a Burmese sentence with "။", an English one
with a full stop. A page must not join Burmese sentences with Latin full stops."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def sentence(text: str) -> SafeString:
    """The text as a whole sentence of the page's language, ended ("%(sentence)s."): escaped
    unless already safe, the ending from the catalogue."""
    return mark_safe(gettext("%(sentence)s.") % {"sentence": conditional_escape(text)})  # noqa: S308
