"""Charts drawn on the server as SVG: no script (the content security policy allows none inline),
readable without colour (each series has its own marker and dash pattern), and always shown
beside a table of the same numbers."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from hearth.lib.svg import STYLES
from hearth.lib.svg import marker as _marker
from hearth.toolkit.queries import GradedCareTrend

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 40


def graded_care_chart(trend: GradedCareTrend) -> SafeString:
    """Grades over time: 1 (needs fully met) at the top, 5 (unmet or harmful) at the bottom."""
    dates = sorted(set(trend.dates))
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM

    def x_of(index: int) -> float:
        return LEFT + (plot_w * index / max(len(dates) - 1, 1) if len(dates) > 1 else plot_w / 2)

    def y_of(grade: float) -> float:
        return TOP + plot_h * (grade - 1) / 4

    parts = [
        f'<svg class="hearth-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="gc-chart-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="gc-chart-title">Graded care over time, by area: the numbers are in the table below</title>',
    ]
    for grade in range(1, 6):
        y = y_of(grade)
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#b1b4b6" stroke-width="0.5"/>'
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{grade}</text>'
        )
    line_y = y_of(trend.line)
    parts.append(
        f'<line x1="{LEFT}" y1="{line_y:.1f}" x2="{LEFT + plot_w}" y2="{line_y:.1f}" stroke="#0b0c0c" '
        f'stroke-width="2" stroke-dasharray="10 4"/><text x="{LEFT + 4}" y="{line_y - 5:.1f}" '
        f'font-size="12" font-weight="bold">Good enough line</text>'
    )
    for i, d in enumerate(dates):
        parts.append(
            f'<text x="{x_of(i):.1f}" y="{HEIGHT - BOTTOM + 18}" text-anchor="middle" font-size="11">'
            f"{d:%b %Y}</text>"
        )
    legend_y = TOP + 10
    for n, series in enumerate(trend.series):
        dash, marker, colour = STYLES[n % len(STYLES)]
        points = [(x_of(dates.index(d)), y_of(v)) for d, v in series.points]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"'
                + (f' stroke-dasharray="{dash}"' if dash else "")
                + "/>"
            )
        parts += [_marker(marker, x, y, colour) for x, y in points]
        ly = legend_y + 40 + n * 18
        parts.append(_marker(marker, WIDTH - RIGHT + 16, ly - 4, colour))
        parts.append(
            f'<text x="{WIDTH - RIGHT + 26}" y="{ly}" font-size="12">{escape(series.title)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped or numeric
