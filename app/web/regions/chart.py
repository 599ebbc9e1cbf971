"""A server-side SVG grouped bar chart of what a region received versus ceded per indicator,
each in its own unit (classes for colours, no inline style, every text escaped: it passes the
content security policy)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

from app.domain.money import format_amount
from app.web.charts import data_table, svg_open, text

RECEIVED, CEDED = "s2", "s0"


def bar_chart(groups: Sequence[tuple[str, str, Decimal, Decimal]],
              labels: tuple[str, str] = ("Received", "Ceded"), title: str = "",
              unit_caption: str = "%(unit)s", width: int = 760) -> Markup:
    """Two horizontal bars per group ``(label, unit, received, ceded)``, amounts in that group's
    unit. Units differ between indicators, so each group has its own scale (its larger bar spans
    the plot, with 0 marked); the exact amount, two places half up,
    is printed beside each bar. ``unit_caption`` formats the unit under the group's label."""
    left, right, top, bar, gap, pad = 200, 190, 30, 16, 4, 30
    plot_w = width - left - right
    height = top + len(groups) * (2 * bar + gap + pad) + 4
    desc = "; ".join(f"{label}: {labels[0]} {format_amount(received)} {unit}, "
                     f"{labels[1]} {format_amount(ceded)} {unit}"
                     for label, unit, received, ceded in groups)
    parts = [svg_open(width, height, title or f"{labels[0]} / {labels[1]}", desc, "bars")]
    for n, (name, colour) in enumerate(zip(labels, (RECEIVED, CEDED), strict=True)):
        x = left + 130 * n
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" class="key {colour}"/>')
        parts.append(text(x + 18, 16, name, "legend"))
    y = top
    for label, unit, received, ceded in groups:
        low = min(Decimal(0), received, ceded)
        high = max(Decimal(0), received, ceded)
        span = (high - low) or Decimal(1)

        def x_of(value: Decimal, low=low, span=span) -> float:
            return left + float((value - low) / span) * plot_w

        parts.append(text(left - 8, y + bar, label, "node-label", "end"))
        parts.append(text(left - 8, y + bar + 15, unit_caption % {"unit": unit}, "tick", "end"))
        for k, (value, colour) in enumerate(((received, RECEIVED), (ceded, CEDED))):
            top_y = y + k * (bar + gap)
            start, end = sorted((x_of(Decimal(0)), x_of(value)))
            parts.append(f'<rect x="{start:.1f}" y="{top_y}" width="{end - start:.1f}" '
                         f'height="{bar}" class="bar {colour}"/>')
            parts.append(text(left + plot_w + 8, top_y + bar - 4,
                              f"{format_amount(value)} {unit}", "tick"))
        zero = x_of(Decimal(0))
        base = y + 2 * bar + gap
        parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{y - 2}" y2="{base + 2}" '
                     f'class="zero"/>')
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base + 2}" y2="{base + 2}" '
                     f'class="grid"/>')
        parts.append(text(zero, base + 13, "0", "tick", "middle"))
        y += 2 * bar + gap + pad
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped


def bar_table(caption: str, headers: Sequence[str],
              groups: Sequence[tuple[str, str, Decimal, Decimal]]) -> Markup:
    """The bar chart's figures as a table (its text alternative): indicator, unit, received,
    ceded, net, each exact to two places."""
    return data_table(caption, headers, [
        (label, unit, format_amount(received), format_amount(ceded),
         format_amount(received - ceded)) for label, unit, received, ceded in groups],
        numeric_from=2)
