from django import template
from django.utils.safestring import SafeString

from hearth.partnership.format import figure_text, value_text
from hearth.partnership.measures import Figure, Unit

register = template.Library()


@register.simple_tag
def figure(fig: Figure, unit: Unit) -> str:
    return figure_text(fig, unit)


@register.simple_tag
def value(number: float | None, unit: Unit) -> str:
    return value_text(number, unit)


@register.simple_tag
def share(fig: Figure) -> str:
    """A group of a count or rate: its count and its share of the whole."""
    if fig.value is None:
        return "no data"
    return f"{fig.numerator:,} ({fig.value:.1f}% of {fig.denominator:,})"


@register.simple_tag
def chart(charts: dict[str, SafeString], code: str) -> SafeString:
    return charts[code]
