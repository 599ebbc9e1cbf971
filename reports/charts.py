"""Line and bar charts drawn with ReportLab graphics, titled and labelled with their unit."""

from __future__ import annotations

import math

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from reports.document import BarChart, LineChart
from reports.fonts import register_fonts
from reports.scripts import single_font
from reports.styles import ACCENT, INK, MUTED, PALETTE, RULE, para

CHART_HEIGHT = 230.0
_LEFT = 58.0


def _number_format(values: list[float]):
    """A value-axis label formatter: thousands separators, decimals only for small ranges."""
    span = max((abs(v) for v in values), default=0.0)
    pattern = "{:,.2f}" if span < 10 else "{:,.0f}"
    return pattern.format


def nice_scale(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """A value axis (min, max, step) that holds ``low``..``high`` with about ``ticks`` steps of
    1, 2, 2.5 or 5 × 10^n, so the top gridline is at or above the tallest bar."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        return 0.0, 1.0, 0.2
    raw = (high - low) / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _thin_labels(labels: tuple[str, ...], room: float) -> tuple[list[str], int]:
    """Category labels, every n-th kept so they do not collide, and the angle to print them."""
    if not labels:
        return [], 0
    per = room / len(labels)
    font = register_fonts()
    longest = max(stringWidth(line, font, 7) for label in labels for line in label.split("\n"))
    if longest <= per:
        return list(labels), 0
    step = max(1, round(14 / per + 0.49)) if per < 14 else 1
    return [label if i % step == 0 else "" for i, label in enumerate(labels)], 35


def _frame(drawing: Drawing, title: str, unit: str, font: str) -> None:
    """Add the title and the unit line to the top of the drawing (no unit line when ``unit`` is
    empty: the section's heading names the unit)."""
    top = drawing.height - 8  # the drawing's own top margin (a Drawing takes no spaceBefore)
    drawing.add(String(0, top - 11, single_font(title), fontName=font, fontSize=10,
                       fillColor=ACCENT))
    if unit:
        drawing.add(String(0, top - 25, f"单位 / Unit: {unit}", fontName=font, fontSize=7.5,
                           fillColor=MUTED))


def _legend(drawing: Drawing, chart, names: list[str], font: str) -> None:
    """A one-row legend under the chart naming each series in its colour."""
    legend = Legend()
    legend.x, legend.y = _LEFT, 10
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName, legend.fontSize = font, 7.5
    legend.dx = legend.dy = 7
    legend.deltax = 10
    legend.dxTextSpace = 4
    legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], single_font(name))
                             for i, name in enumerate(names)]
    drawing.add(legend)


def _axes(chart, font: str, labels: list[str], angle: int, values: list[float]) -> None:
    """Style both axes: fonts, rotated category labels, formatted values and grid lines."""
    axis = chart.categoryAxis
    axis.categoryNames = labels
    axis.labels.fontName, axis.labels.fontSize, axis.labels.fillColor = font, 7, INK
    if angle:
        axis.labels.angle, axis.labels.boxAnchor, axis.labels.dx = angle, "ne", 0
    axis.strokeColor = RULE
    axis.labelAxisMode = "low"  # labels under the plot, clear of bars below zero
    value = chart.valueAxis
    value.labels.fontName, value.labels.fontSize, value.labels.fillColor = font, 7, INK
    value.labelTextFormat = _number_format(values)
    value.forceZero = 1
    value.strokeColor = RULE
    value.visibleGrid = 1
    value.gridStrokeColor = RULE
    value.gridStrokeWidth = 0.25
    if values:
        value.valueMin, value.valueMax, value.valueStep = nice_scale(min(values), max(values))


def chart_flowable(block: LineChart | BarChart, width: float) -> list[Flowable]:
    """The chart as a Drawing (a flowable), or a titled "no data" line when nothing to plot."""
    font = register_fonts()
    is_line = isinstance(block, LineChart)
    labels = tuple(map(single_font, block.x_labels if is_line else block.categories))
    data = [[None if v is None else float(v) for v in s.values] for s in block.series]
    values = [v for row in data for v in row if v is not None]
    if not labels or not values:
        return [para(block.title, 10, color="accent"), para("无数据 / No data", 8, color="muted")]
    drawing = Drawing(width, CHART_HEIGHT)
    _frame(drawing, block.title, block.unit_label, font)
    room = width - _LEFT - 10
    shown, angle = _thin_labels(labels, room)
    chart = HorizontalLineChart() if is_line else VerticalBarChart()
    chart.x, chart.width = _LEFT, room
    lines = max(label.count("\n") + 1 for label in labels)
    chart.y = 42 + (28 if angle else 0) + 9 * (lines - 1)
    chart.height = CHART_HEIGHT - chart.y - 44
    chart.data = data
    _axes(chart, font, shown, angle, values)
    for i in range(len(data)):
        colour = PALETTE[i % len(PALETTE)]
        if is_line:
            chart.lines[i].strokeColor, chart.lines[i].strokeWidth = colour, 1.5
            chart.lines[i].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
        else:
            chart.bars[i].fillColor, chart.bars[i].strokeColor = colour, None
    if not is_line:
        chart.barSpacing, chart.groupSpacing = 1, 6
    if is_line:
        chart.joinedLines = 1
    drawing.add(chart)
    _legend(drawing, chart, [s.name for s in block.series], font)
    drawing.hAlign = "LEFT"
    return [drawing]
