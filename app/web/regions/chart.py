"""A server-side SVG bar chart of received versus ceded per indicator (SVG attributes only, no
inline style, every text escaped: it passes the content security policy)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup, escape

from app.domain.money import format_amount
from app.web.charts import PALETTE

RECEIVED, CEDED = PALETTE[2], PALETTE[0]


def bar_chart(groups: Sequence[tuple[str, str, Decimal, Decimal]],
              labels: tuple[str, str] = ("Received", "Ceded"), width: int = 760) -> Markup:
    """Two horizontal bars per group ``(label, unit, received, ceded)``, amounts in that group's
    unit. Units differ between indicators, so each group has its own scale (its larger bar spans
    the plot); the exact amount, two places half up, is printed beside each bar."""
    left, right, top, bar, gap, pad = 190, 190, 28, 14, 4, 18
    plot_w = width - left - right
    height = top + len(groups) * (2 * bar + gap + pad) + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(labels[0])} / {escape(labels[1])}">']
    for n, (name, colour) in enumerate(zip(labels, (RECEIVED, CEDED), strict=True)):
        x = left + 130 * n
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 18}" y="16" font-size="12" fill="#1d2733">'
                     f'{escape(name)}</text>')
    y = top
    for label, unit, received, ceded in groups:
        low = min(Decimal(0), received, ceded)
        span = (max(Decimal(0), received, ceded) - low) or Decimal(1)

        def x_of(value: Decimal, low=low, span=span) -> float:
            return left + float((value - low) / span) * plot_w

        parts.append(f'<text x="{left - 8}" y="{y + bar + 4}" font-size="12" text-anchor="end" '
                     f'fill="#1d2733">{escape(label)}</text>')
        for k, (value, colour) in enumerate(((received, RECEIVED), (ceded, CEDED))):
            top_y = y + k * (bar + gap)
            start, end = sorted((x_of(Decimal(0)), x_of(value)))
            parts.append(f'<rect x="{start:.1f}" y="{top_y}" width="{end - start:.1f}" '
                         f'height="{bar}" fill="{colour}"/>')
            parts.append(f'<text x="{left + plot_w + 8}" y="{top_y + bar - 3}" font-size="11" '
                         f'fill="#5b6b7c">{escape(format_amount(value))} {escape(unit)}</text>')
        zero = x_of(Decimal(0))
        parts.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{y - 2}" '
                     f'y2="{y + 2 * bar + gap + 2}" stroke="#5b6b7c"/>')
        y += 2 * bar + gap + pad
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped
