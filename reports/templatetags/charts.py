"""The bars of a chart as markup written in Python (reports.views.dashboard_shaping.bars_html):
`{{ c|bars:id }}`, where `id` names the chart's hatch pattern."""

from django import template

from reports.views.dashboard_shaping import bars_html

register = template.Library()


@register.filter
def bars(chart, chart_id: str) -> str:
    return bars_html(chart, chart_id)
