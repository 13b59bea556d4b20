"""The chart's bars written in Python (dashboard_shaping.bars_html) are the markup the template
wrote bar by bar: every kind of bar, text that needs escaping, in English and in Burmese."""

import pytest
from django.template import Context, Template
from django.utils import translation

from reports.views import charts
from reports.views.dashboard_shaping import bars_html

# The loop templates/reports/dashboard/_bar_chart.html had before the bars were written in
# Python, kept as the reference.
TEMPLATE_LOOP = (
    "{% load l10n i18n %}{% localize off %}"
    + (
        '{% for b in c.bars %}{% if b.url %}<a href="{{ b.url }}">'
        '{% if b.gone %}<rect class="stale gone" x="{{ b.x }}" y="{{ c.stale_y }}"'
        ' width="{{ b.width }}" height="{{ c.stale_height }}" fill="url(#{{ id }}-hatch)">'
        '<title>{% translate "Stale, not drawn" %}: {{ b.title }}</title></rect>'
        '{% else %}<rect class="{% if b.stale %}stale" fill="url(#{{ id }}-hatch)"'
        '{% else %}bar"'
        '{% endif %} x="{{ b.x }}" y="{{ b.y }}" width="{{ b.width }}" height="{{ b.height }}">'
        '<title>{% if b.stale %}{% translate "Stale" %}: '
        "{% endif %}{{ b.title }}</title></rect>{% if b.whisker_top != b.whisker_bottom %}"
        '<line class="range" x1="{{ b.centre }}" x2="{{ b.centre }}"'
        ' y1="{{ b.whisker_top }}" y2="{{ b.whisker_bottom }}"/>'
        '{% endif %}{% if b.high_open %}<path class="open-mark" d="{{ b.open_path }}"/>'
        "{% endif %}{% endif %}</a>{% endif %}{% if b.show_label %}"
        '<text class="xtick" x="{{ b.centre }}" y="{{ c.height|add:-6 }}">{{ b.label }}</text>'
        "{% endif %}\n{% endfor %}"
    )
    + "{% endlocalize %}"
)


def point(label, best, low=None, high=None, **more):
    return {
        "label": label,
        "best": best,
        "low": best if low is None else low,
        "high": best if high is None else high,
        "title": f'{label}: {best:,} <at least> & "more"',
        "url": f"/dashboard/evidence/?metric=killed&start={label}&x=<y>",
        **more,
    }


@pytest.fixture
def chart():
    points = [
        point("Jan 2023", 40000, 35000, 45000),
        point("Feb 2023", 0),
        point("Mar 2023", 1200, high_open=True, high=None),
        point("Apr 2023", 300, stale=True),
        point("May 2023", 0, stale=True, stale_all=True),
        point("Jun 2023", 7, 5, 9),
        {**point("Jul 2023", 0), "url": ""},
    ]
    points[2]["high"] = None
    return charts.bar_chart(points * 5)


@pytest.mark.parametrize("language", ["en", "my"])
def test_bars_are_the_markup_the_template_wrote(chart, language):
    assert any(bar.gone for bar in chart.bars) and any(bar.stale for bar in chart.bars)
    assert any(bar.high_open for bar in chart.bars)
    with translation.override(language):
        expected = Template(TEMPLATE_LOOP).render(Context({"c": chart, "id": "chart-<killed>"}))
        assert expected.count("<a href=") == 30 and "&lt;at least&gt; &amp;" in expected
        assert bars_html(chart, "chart-<killed>") == expected
