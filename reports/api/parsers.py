"""The JSON parser of the write endpoints: a body nested deeper than anyone's report, or holding
a lone surrogate escape ("\\ud800": half of a character, not Unicode), is a 400 that says so and
where, never a server error (Python's decoder gives up at about 1,000 levels, and takes lone
surrogates in, which then cannot be written out: a field's name repeated in an error message,
the body's hash for a retry key, a Kobo payload kept for the admin)."""

import re

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# A bulk submission is four levels deep ({"reports": [{"figures": [{...}]}]}); Kobo's
# groups and repeats add a few more.
MAX_DEPTH = 32


def nesting_depth(data) -> int:
    """How deeply lists and objects nest in parsed JSON, counted without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth  # deep enough to refuse: no need to walk the rest
        stack.extend((child, depth + 1) for child in children)
    return deepest


SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate_at(data) -> str | None:
    """Where parsed JSON holds a lone surrogate, in a name or a text, in words ("reports.0.title",
    "a field's name in reports.0", "the body"), or None. Without recursion, as nesting_depth()."""
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            if SURROGATE.search(value):
                return path or "the body"
        elif isinstance(value, dict):
            for key, child in value.items():
                if SURROGATE.search(key):
                    return f"a field's name in {path}" if path else "a field's name"
                stack.append((child, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                stack.append((child, f"{path}.{i}" if path else str(i)))
    return None


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_too_deep()) from exc
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(_too_deep())
        where = lone_surrogate_at(data)
        if where is not None:
            raise ParseError(
                "JSON parse error - a lone surrogate escape (\\ud800 to \\udfff), half of a "
                f"character, in {where}: send the whole character, or valid UTF-8."
            )
        return data


def _too_deep() -> str:
    return f"JSON parse error - lists and objects are nested more than {MAX_DEPTH} levels deep."
