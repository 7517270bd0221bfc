"""Figures as people read them: the value with its unit, and the counts beside every percentage."""

from hearth.partnership.measures import Figure, Unit

SUPPRESSED = "c"  # the DfE's mark for a figure withheld to protect confidentiality
SMALL = 5  # fewer than 5 children is suppressed in anything published


def value_text(value: float | None, unit: Unit) -> str:
    if value is None:
        return "no data"
    if unit == Unit.PERCENT:
        return f"{value:.1f}%"
    if unit == Unit.RATE:
        return f"{value:,.1f} per 10,000"
    if unit == Unit.DAYS:
        return f"{value:,.0f} days"
    if unit == Unit.SCORE:
        return f"{value:+.2f} points"
    return f"{value:,.0f}"


def figure_text(figure: Figure, unit: Unit) -> str:
    text = value_text(figure.value, unit)
    if figure.value is None:
        return (
            "none to count (0 of 0)" if unit == Unit.PERCENT and figure.denominator == 0 else text
        )
    if unit == Unit.PERCENT and figure.denominator is not None:
        return f"{text} ({figure.numerator:,} of {figure.denominator:,})"
    if unit == Unit.RATE and figure.numerator is not None:
        return f"{text} ({figure.numerator:,})"
    if unit == Unit.SCORE and figure.numerator:
        return f"{text} ({figure.numerator:,} practitioners)"
    return text


def is_small(n: int | None) -> bool:
    return n is not None and 0 < n < SMALL
