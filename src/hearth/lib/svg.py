"""Shared pieces of the server-drawn SVG charts: markers and line styles that stay readable
without colour (each series has its own marker and dash pattern)."""

# (stroke dash pattern, marker) per series; colour is only a secondary cue.
STYLES = [
    ("", "circle", "#1d70b8"),
    ("6 3", "square", "#d4351c"),
    ("2 3", "triangle", "#00703c"),
    ("8 3 2 3", "diamond", "#4c2c92"),
    ("1 0", "cross", "#0b0c0c"),
]


def marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if kind == "triangle":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} {x + 5:.1f},{y + 4:.1f}" fill="{colour}"/>'
    if kind == "diamond":
        return f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x + 5:.1f},{y:.1f}" fill="{colour}"/>'
    return (
        f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},{y + 4:.1f} '
        f'L{x + 4:.1f},{y - 4:.1f}" stroke="{colour}" stroke-width="2"/>'
    )
