"""Server-side SVG charts: no script and no inline style (colours come from CSS classes in
app.css), so they pass the content security policy. Every chart carries a <title> and a <desc>
for screen readers, and the pages print the figures in a table beside it. Amounts stay Decimal;
only pixel positions are floats."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.domain.money import format_amount, format_percent, format_wan, round_half_up

PALETTE = ("#b4232a", "#1f4e8c", "#1e7b46", "#9a6700", "#6b3fa0")
"""Series colours (the same order as the ``.s0``…``.s4`` classes of app.css; PDFs use these)."""

_ids = itertools.count(1)


def svg_open(width: float, height: float, title: str, desc: str, css: str) -> str:
    """The opening <svg> tag with its accessible <title> and <desc> (ids unique on the page)."""
    n = next(_ids)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
            f'class="svg-chart {css}" role="img" aria-labelledby="chart{n}-t chart{n}-d">'
            f'<title id="chart{n}-t">{escape(title)}</title>'
            f'<desc id="chart{n}-d">{escape(desc)}</desc>')


def text(x: float, y: float, content: str, css: str = "", anchor: str = "start") -> str:
    """An escaped <text> element."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" class="{css}" text-anchor="{anchor}">'
            f'{escape(content)}</text>')


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
               height: int = 280, title: str = "", x_label: str = "") -> Markup:
    """A line chart of one or more series over ``labels``; values are divided by ``divisor``
    for the axis (for example 10⁴ to plot 万元), with ``unit_label`` naming that unit on the
    vertical axis and ``x_label`` under the horizontal one."""
    left, right, top, bottom = 84, 160, 24, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v / divisor for _, points in series for v in points] or [Decimal(0)]
    top_value = _nice_max(max(max(values), Decimal(0)))
    low_value = min(min(values), Decimal(0))
    span = top_value - low_value or Decimal(1)

    def x(i: int) -> float:
        return left + (plot_w * i / max(len(labels) - 1, 1))

    def y(v: Decimal) -> float:
        return top + plot_h - float((v - low_value) / span) * plot_h

    last = {name: (points[-1] / divisor if points else Decimal(0)) for name, points in series}
    desc = "; ".join(f"{name}: {format_amount(round_half_up(v, 2))} {unit_label}"
                     for name, v in last.items())
    period = f"{labels[0]}–{labels[-1]}: " if labels else ""
    parts = [svg_open(width, height, title or unit_label, period + desc, "line")]
    for k in range(5):
        tick = low_value + span * k / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}" class="grid"/>')
        parts.append(text(left - 6, y(tick) + 4, f"{tick:,.0f}", "tick", "end"))
    parts.append(text(8, top - 10, unit_label, "axis"))
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" class="axis"/>')
    step = max(1, -(-len(labels) // 8))  # at most about eight labels: they must not overlap
    for i, label in enumerate(labels):
        is_last = i == len(labels) - 1
        if is_last or (i % step == 0 and len(labels) - 1 - i >= max(2, step * 2 // 3)):
            parts.append(text(x(i), height - bottom + 16, label, "tick", "middle"))
    if x_label:
        parts.append(text(left + plot_w / 2, height - 8, x_label, "axis", "middle"))
    for n, (name, points) in enumerate(series):
        path = " ".join(f"{x(i):.1f},{y(v / divisor):.1f}" for i, v in enumerate(points))
        parts.append(f'<polyline class="series s{n % len(PALETTE)}" points="{path}"/>')
        parts.append(f'<rect x="{width - right + 14}" y="{top + 20 * n}" width="12" height="12" '
                     f'class="key s{n % len(PALETTE)}"/>')
        parts.append(text(width - right + 32, top + 10 + 20 * n, name, "legend"))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped


def data_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
               numeric_from: int = 1) -> Markup:
    """The figures of a chart as a table (its text alternative), inside a closed <details>;
    columns from ``numeric_from`` on are right-aligned numbers."""
    def cell(tag: str, i: int, content: str) -> str:
        css = ' class="num"' if i >= numeric_from else ""
        return f"<{tag}{css}>{escape(content)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>"
                   for row in rows)
    return Markup(  # noqa: S704 - every cell is escaped
        f'<details class="chart-data"><summary>{escape(caption)}</summary>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details>")


def deployment_table(series: Sequence[tuple[object, object]]) -> Markup:
    """The deployment chart's figures per quarter (万元, two places half up) as a table: its
    text alternative. ``series`` is ``[(quarter, FundMetrics)]``."""
    return data_table(_("The figures as a table"), [
        _("Quarter"), _("Committed (万元)"), _("Paid-in (万元)"), _("Disbursed (万元)"),
        _("Deployment rate")],
        [(str(q), format_wan(m.committed), format_wan(m.paid_in), format_wan(m.disbursed),
          format_percent(m.deployment_rate)) for q, m in reversed(series)])
