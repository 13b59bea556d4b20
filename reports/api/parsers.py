"""The JSON parser of the write endpoints: a body nested deeper than anyone's report is a 400
that says so, never a server error (Python's decoder gives up at about 1,000 levels)."""

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


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_too_deep()) from exc
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return f"JSON parse error - lists and objects are nested more than {MAX_DEPTH} levels deep."
