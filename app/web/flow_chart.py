"""A two-column, Sankey-like SVG of transfer flows: source macro-regions on the left,
destination macro-regions on the right, one band per pair whose width is proportional to the
yuan disbursed, labelled with the number of projects and the amount in 万元."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.domain.codes import MacroRegion
from app.domain.money import format_wan
from app.domain.regions import MACRO_REGIONS
from app.services.funds.flows import Flow
from app.web.charts import data_table, svg_open, text
from app.web.common import coded_label

WIDTH, NODE, GAP, TOP, BOTTOM, MIN_BAND, SIDE = 760, 14, 18, 34, 12, 3.0, 190
BAND_SPACE = 240.0
"""At most this many pixels are shared by the bands (fewer for few flows; a band gets at least
MIN_BAND)."""
LABELLED = 16.0
"""Bands at least this thick carry their label inside the chart; every band has a tooltip."""


def _name(code: str) -> str:
    """The macro-region's label in the user's language."""
    return coded_label(MacroRegion(code))


def projects_label(projects: int) -> str:
    """"1,100 projects" in the user's language."""
    return ngettext("%(count)s project", "%(count)s projects", projects, count=f"{projects:,}")


def band_label(flow: Flow) -> str:
    """"1,100 projects · 5,352,854.40 万元" in the user's language."""
    return _("%(projects)s · %(amount)s 万元", projects=projects_label(flow.projects),
             amount=format_wan(flow.disbursed))


def flow_chart(flows: Sequence[Flow], title: str) -> Markup:
    """The flows as an SVG (source → destination, bands ∝ yuan disbursed; by project counts
    when nothing was disbursed), or an empty Markup when there is nothing to draw."""
    flows = [f for f in flows if f.projects or f.disbursed]
    if not flows:
        return Markup()
    by_amount = sum((f.disbursed for f in flows), Decimal(0)) > 0
    weight = {id(f): (f.disbursed if by_amount else Decimal(f.projects)) for f in flows}
    total = sum(weight.values(), Decimal(0)) or Decimal(1)
    space = min(BAND_SPACE, 120.0 + 40.0 * (len(flows) - 1))  # one flow is no wall of colour
    thick = {id(f): max(MIN_BAND, float(weight[id(f)] / total) * space) for f in flows}
    order = {code: i for i, code in enumerate(MACRO_REGIONS)}
    sources = sorted({f.source for f in flows}, key=order.get)
    targets = sorted({f.destination for f in flows}, key=order.get)

    def stack(nodes: list[str], side: str) -> tuple[dict[str, float], float]:
        tops, y = {}, float(TOP)
        for node in nodes:
            tops[node] = y
            # at least room for the node's three lines of label
            y += max(sum(thick[id(f)] for f in flows if getattr(f, side) == node), 44.0) + GAP
        return tops, y

    (left_top, left_end), (right_top, right_end) = (stack(sources, "source"),
                                                    stack(targets, "destination"))
    height = max(left_end, right_end) - GAP + BOTTOM
    x0, x1 = SIDE, WIDTH - SIDE
    parts = [svg_open(WIDTH, height, title, "; ".join(
        f"{_name(f.source)} → {_name(f.destination)}: {band_label(f)}" for f in flows), "flows")]
    parts.append(text(x0 - NODE, 16, _("Source (macro-region)"), "axis", "end"))
    parts.append(text(x1 + NODE, 16, _("Destination (macro-region)"), "axis", "start"))
    out_y = dict(left_top)
    in_y = dict(right_top)
    bands = []
    for f in sorted(flows, key=lambda f: (order[f.source], order[f.destination])):
        t = thick[id(f)]
        a, b = out_y[f.source], None
        out_y[f.source] += t
        bands.append([f, a, b, t])
    for band in sorted(bands, key=lambda b: (order[b[0].destination], order[b[0].source])):
        band[2] = in_y[band[0].destination]
        in_y[band[0].destination] += band[3]
    mid = (x0 + NODE + x1) / 2

    def css(node: str) -> str:
        return f"s{order[node] % 5}"

    for f, ya, yb, t in bands:
        colour = css(f.source)
        xa, xb = x0 + NODE, x1
        parts.append(
            f'<path class="band {colour}" d="M{xa:.1f},{ya:.1f} C{mid:.1f},{ya:.1f} '
            f'{mid:.1f},{yb:.1f} {xb:.1f},{yb:.1f} L{xb:.1f},{yb + t:.1f} C{mid:.1f},{yb + t:.1f} '
            f'{mid:.1f},{ya + t:.1f} {xa:.1f},{ya + t:.1f} Z"><title>'
            f'{Markup.escape(_name(f.source))} → {Markup.escape(_name(f.destination))}: '
            f'{Markup.escape(band_label(f))}</title></path>')
        if t >= LABELLED:
            parts.append(text(mid, (ya + yb + t) / 2 + 4, band_label(f), "band-label", "middle"))
    for side, tops, x, anchor, dx in (("source", left_top, x0, "end", -6),
                                      ("destination", right_top, x1, "start", NODE + 6)):
        for node, y in tops.items():
            mine = [f for f in flows if getattr(f, side) == node]
            h = sum(thick[id(f)] for f in mine)
            amount = sum((f.disbursed for f in mine), Decimal(0))
            projects = sum(f.projects for f in mine)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{NODE}" height="{h:.1f}" '
                         f'class="node {css(node) if side == "source" else "dest"}"/>')
            parts.append(text(x + dx, y + 12, _name(node), "node-label", anchor))
            parts.append(text(x + dx, y + 27, projects_label(projects), "tick", anchor))
            parts.append(text(x + dx, y + 41, f"{format_wan(amount)} 万元", "tick", anchor))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text part above is escaped


def flow_table(flows: Sequence[Flow]) -> Markup:
    """The flows as a table: the chart's text alternative."""
    return data_table(_("The flows as a table"), [
        _("Source"), _("Destination"), _("Projects"), _("Disbursed (万元)")],
        [(_name(f.source), _name(f.destination), f"{f.projects:,}", format_wan(f.disbursed))
         for f in flows], numeric_from=2)
