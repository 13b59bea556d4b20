"""Burmese text: spotting the legacy Zawgyi encoding (Myanmar code points used for other letters,
garbage on every Unicode device) before it is stored, with Google's myanmartools detector."""

from functools import cache

from myanmartools import ZawgyiDetector

# The detector's own documentation suggests a high threshold; Unicode Burmese scores near 0.
ZAWGYI_THRESHOLD = 0.95


@cache
def _detector() -> ZawgyiDetector:
    return ZawgyiDetector()  # loads its model once per process


def looks_like_zawgyi(text: str) -> bool:
    if not text or not any("\u1000" <= ch <= "\u109f" for ch in text):
        return False
    return _detector().get_zawgyi_probability(text) > ZAWGYI_THRESHOLD
