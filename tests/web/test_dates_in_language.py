"""Dates, times and ages on pages in the reader's language (Django's own date and timesince
filters take their words from Django's catalogue, which has no Burmese)."""

from datetime import UTC, datetime

import pytest
from django.utils import translation

from reports.templatetags.day_text import age_text, day_text, moment_text

NOW = datetime(2023, 12, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("then", "english", "burmese"),
    [
        (datetime(2023, 12, 1, 8, 30, 40, tzinfo=UTC), "0 minutes", "0 မိနစ်"),
        (datetime(2023, 12, 1, 7, 12, tzinfo=UTC), "1 hour, 18 minutes", "1 နာရီ၊ 18 မိနစ်"),
        (datetime(2023, 11, 29, 8, 30, tzinfo=UTC), "2 days", "2 ရက်"),
        (datetime(2023, 11, 13, 2, 0, tzinfo=UTC), "2 weeks, 4 days", "2 ပတ်၊ 4 ရက်"),
        (datetime(2022, 10, 1, 8, 30, tzinfo=UTC), "1 year, 2 months", "1 နှစ်၊ 2 လ"),
        (datetime(2023, 12, 2, 8, 30, tzinfo=UTC), "0 minutes", "0 မိနစ်"),  # a clock ahead
    ],
)
def test_ages_in_both_languages(then, english, burmese):
    with translation.override("en"):
        assert age_text(then, NOW) == english
    with translation.override("my"):
        assert age_text(then, NOW) == burmese


def test_days_and_moments_in_the_site_time_zone():
    with translation.override("en"):
        assert day_text(NOW) == "1 Dec 2023"
        assert moment_text(NOW) == "1 Dec 2023, 15:00"  # Asia/Yangon
        assert day_text(None) == moment_text(None) == age_text(None) == ""
    with translation.override("my"):
        assert moment_text(NOW) == "2023 ခုနှစ် ဒီဇင်ဘာလ 1 ရက်၊ 15:00"
