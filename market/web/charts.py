"""Charts for the market pages: simple SVG drawn on the server from the figures of the table beside it.

A chart is a list of rows, each a label and one or more segments stacked end to end (one segment per series);
a single series may go below zero (a year whose cost avoidance is negative). `bar_chart` works out the geometry
and templates/market/analysis/chart.html draws it, with a title and a text description for screen readers; the
table drawn from the same figures is the accessible alternative."""

import textwrap
from dataclasses import dataclass, field
from decimal import Decimal

# GOV.UK colours, each with a contrast of at least 3:1 against white.
PALETTE = ["#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#b58840", "#28a197"]

LABEL_WIDTH = 280
PLOT_WIDTH = 440
BAR_HEIGHT = 26
GAP = 10
TOP = 10
AXIS = 30
# Labels are written in full, wrapped onto as many lines as they need (two rows' labels cut to the same first
# characters could not be told apart): about this many characters of 15 px text fit in the label column.
LABEL_CHARACTERS = 32
LINE_HEIGHT = 18


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Chart:
    title: str
    description: str
    series: list[dict]
    rows: list[dict] = field(default_factory=list)
    width: int = LABEL_WIDTH + PLOT_WIDTH + 20
    height: int = 0
    zero_x: float = LABEL_WIDTH
    ticks: list[dict] = field(default_factory=list)
    plot_top: float = TOP
    plot_bottom: float = TOP
    label_x: float = LABEL_WIDTH - 8
    tick_y: float = TOP

    @property
    def empty(self) -> bool:
        return not self.rows


def _number(value) -> float:
    return float(value or 0)


def _tick_label(value: float, unit: str) -> str:
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        text = f"{value / 1_000_000:.1f}m"
    elif magnitude >= 10_000:
        text = f"{value / 1_000:.0f}k"
    elif magnitude == int(magnitude):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.1f}"
    return f"£{text}" if unit == "£" else f"{text}{unit}"


def bar_chart(
    *,
    title: str,
    series: list[str],
    rows: list[tuple[str, list]],
    unit: str = "",
    description: str = "",
    grouped: bool = False,
) -> Chart:
    """A horizontal bar chart: `rows` are (label, [value per series]); values of several series are stacked, or
    with `grouped` drawn one under the other from the zero line (a figure against its target). A value of None
    draws no bar."""
    chart = Chart(
        title=title,
        description=description,
        series=[{"name": name, "colour": PALETTE[index % len(PALETTE)]} for index, name in enumerate(series)],
    )
    values = [[_number(value) for value in figures] for _, figures in rows]
    if grouped:
        highest = max([v for figures in values for v in figures] + [0])
        lowest = min([v for figures in values for v in figures] + [0])
    else:
        highest = max([sum(v for v in figures if v > 0) for figures in values] + [0])
        lowest = min([sum(v for v in figures if v < 0) for figures in values] + [0])
    span = (highest - lowest) or 1
    scale = PLOT_WIDTH / span
    chart.zero_x = LABEL_WIDTH + (-lowest) * scale
    y = TOP
    for (label, figures), numbers in zip(rows, values, strict=True):
        lines = _label_lines(label)
        pitch = max(BAR_HEIGHT, LINE_HEIGHT * len(lines))
        bar_y = y + (pitch - BAR_HEIGHT) / 2
        rects, right, left = [], chart.zero_x, chart.zero_x
        height = BAR_HEIGHT / len(chart.series) if grouped else BAR_HEIGHT
        for position, (number, raw, entry) in enumerate(zip(numbers, figures, chart.series, strict=True)):
            width = abs(number) * scale
            if grouped:
                right = left = chart.zero_x
            if number >= 0:
                x, right = right, right + width
            else:
                left -= width
                x = left
            top = bar_y + position * height if grouped else bar_y
            text = f"{label}, {entry['name']}: {'none' if raw is None else _value(raw)}"
            rects.append(Rect(x, top, width, height, entry["colour"], text))
        first_line = y + (pitch - LINE_HEIGHT * len(lines)) / 2 + LINE_HEIGHT * 0.75
        chart.rows.append(
            {
                "label": label,
                "lines": [{"text": line, "y": first_line + LINE_HEIGHT * n} for n, line in enumerate(lines)],
                "y": bar_y,
                "text_y": first_line,
                "rects": rects,
            }
        )
        y += pitch + GAP
    plot_bottom = y
    chart.height = plot_bottom + AXIS
    step = _step(span)
    tick = (lowest // step) * step
    while tick <= highest + 1e-9:
        x = LABEL_WIDTH + (tick - lowest) * scale
        if LABEL_WIDTH - 1 <= x <= LABEL_WIDTH + PLOT_WIDTH + 1:
            chart.ticks.append({"x": x, "label": _tick_label(tick, unit)})
        tick += step
    chart.plot_bottom = plot_bottom
    chart.tick_y = plot_bottom + 20
    return chart


def _label_lines(label: str) -> list[str]:
    """A label's lines: broken after its commas first ("South Cambridgeshire," then "Planned respite"), so a
    place and a care type stay whole, and within a part only when the part alone is too long for a line."""
    lines: list[str] = []
    parts = label.split(", ")
    for index, part in enumerate(parts):
        text = part + ("," if index < len(parts) - 1 else "")
        if lines and len(lines[-1]) + 1 + len(text) <= LABEL_CHARACTERS:
            lines[-1] += " " + text
        else:
            lines += textwrap.wrap(text, LABEL_CHARACTERS, break_on_hyphens=False) or [""]
    return lines or [""]


def _step(span: float) -> float:
    """A round tick interval giving about five ticks."""
    raw = span / 5
    power = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def _value(raw) -> str:
    if isinstance(raw, Decimal):
        return f"{raw:,.2f}"
    if isinstance(raw, float):
        return f"{raw:,.1f}"
    return f"{raw:,}" if isinstance(raw, int) else str(raw)
