"""An indicator's trend over the last quarters as an SVG line with a marker and its value at every
point (readable without colour), always shown beside a table of the same numbers."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hearth.lib.periods import Period
from hearth.lib.svg import marker
from hearth.partnership.format import value_text
from hearth.partnership.measures import Figure, Unit

WIDTH, HEIGHT = 560, 190
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 26, 34


def trend_chart(
    chart_id: str, title: str, trend: list[tuple[Period, Figure]], unit: Unit
) -> SafeString:
    values = [f.value for _, f in trend]
    known = [v for v in values if v is not None]
    top = max(known) if known else 1.0
    top = top * 1.15 if top > 0 else 1.0
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    n = len(trend)

    def x_of(i: int) -> float:
        return LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y_of(v: float) -> float:
        return TOP + plot_h * (1 - v / top)

    parts = [
        f'<svg class="hearth-chart hearth-trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}: the numbers are in the table beside it</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#505a5f"/>',
    ]
    points = [(x_of(i), y_of(v)) for i, v in enumerate(values) if v is not None]
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#1d70b8" stroke-width="2"/>')
    for i, (period, figure) in enumerate(trend):
        x = x_of(i)
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 10}" text-anchor="middle" font-size="11">{escape(period.label)}</text>'
        )
        if figure.value is None:
            parts.append(
                f'<text x="{x:.1f}" y="{TOP + plot_h - 4}" text-anchor="middle" font-size="10">no data</text>'
            )
            continue
        y = y_of(figure.value)
        parts.append(marker("circle", x, y, "#1d70b8"))
        label = value_text(figure.value, unit).replace(" per 10,000", "")
        parts.append(
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle" font-size="11">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped or numeric
