"""A report's figure as a page reads it, in the page's language: "People newly displaced:
approximately 35,000 people". (Figure's str() is the English of the change history and the
public records.)"""

from django import template

from reports.views.dashboard_shaping import figure_text

register = template.Library()


@register.filter
def figure_label(figure) -> str:
    return f"{figure.get_metric_display()}: {figure_text(figure)}"
