"""Server-side SVG charts (no script, no inline style: they pass the content security policy)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

PALETTE = ("#b4232a", "#1f4e8c", "#1e7b46", "#9a6700", "#6b3fa0")


def _nice_max(value: Decimal) -> Decimal:
    """A round axis maximum at or above ``value`` (1, 2 or 5 × a power of ten)."""
    if value <= 0:
        return Decimal(1)
    exponent = value.adjusted()
    for step in (1, 2, 5, 10):
        candidate = Decimal(step).scaleb(exponent)
        if candidate >= value:
            return candidate
    return Decimal(10).scaleb(exponent)


def line_chart(labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal]]],
               unit_label: str, divisor: Decimal = Decimal(1), width: int = 760,
               height: int = 260) -> Markup:
    """A line chart of one or more series over ``labels``; values are divided by ``divisor``
    for the axis (for example 10⁴ to plot 万元), with ``unit_label`` naming that unit."""
    left, right, top, bottom = 70, 150, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v / divisor for _, points in series for v in points] or [Decimal(0)]
    top_value = _nice_max(max(max(values), Decimal(0)))
    low_value = min(min(values), Decimal(0))
    span = top_value - low_value or Decimal(1)

    def x(i: int) -> float:
        return left + (plot_w * i / max(len(labels) - 1, 1))

    def y(v: Decimal) -> float:
        return top + plot_h - float((v - low_value) / span) * plot_h

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(unit_label)}">']
    for k in range(5):
        tick = low_value + span * k / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" stroke="#d9e0e7"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
                     f'text-anchor="end" fill="#5b6b7c">{tick:,.0f}</text>')
    parts.append(f'<text x="{left}" y="{top - 4}" font-size="11" fill="#5b6b7c">'
                 f'{escape(unit_label)}</text>')
    step = max(1, -(-len(labels) // 8))  # at most about eight labels: they must not overlap
    for i, label in enumerate(labels):
        if i % step == 0 or i == len(labels) - 1:
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-size="11" '
                         f'text-anchor="middle" fill="#5b6b7c">{escape(label)}</text>')
    for n, (name, points) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        path = " ".join(f"{x(i):.1f},{y(v / divisor):.1f}" for i, v in enumerate(points))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        parts.append(f'<rect x="{width - right + 14}" y="{top + 18 * n}" width="12" height="12" '
                     f'fill="{colour}"/>')
        parts.append(f'<text x="{width - right + 32}" y="{top + 10 + 18 * n}" font-size="12" '
                     f'fill="#1d2733">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped
