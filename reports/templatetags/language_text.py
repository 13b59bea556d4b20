"""A source's language on a page: its name in the page's language where Django knows the code
("my": Burmese, မြန်မာ on a Burmese page), else the code as it was entered (a code Django does
not know, such as Kayah Li's "kyu", is still better shown than dropped)."""

from django import template
from django.utils.translation import get_language_info

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    try:
        return str(get_language_info(code.strip().lower())["name_translated"])
    except KeyError:
        return code
