"""Bar charts, their geometry computed here in Python: pages and PDFs draw them without JavaScript (no Django import).

`bar_chart` places the bars of every chart: the columns of a page's SVG, the CSS bars of a table, the
PDFs' horizontal charts. `scale_chart_svg` draws a horizontal chart on a fixed 0..maximum scale as one
inline SVG, with few elements: WeasyPrint draws a few elements much faster than many.
"""

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no data, no bar
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    bars: list
    width: float
    height: float


def bar_length(value, maximum, length, *, minimum=0, whole=False):
    """The length of `value`'s bar on a 0..maximum scale drawn `length` long, at least `minimum`; None for no value.

    `whole`: rounded to a whole number (a pixel, a percent), for markup that needs one.
    """
    if value is None:
        return None
    scaled = max(min(length * value / maximum, length) if maximum else 0, minimum)
    return round(scaled) if whole else scaled


def bar_chart(values, *, maximum=None, length=100, thickness=10, gap=0, vertical=False, origin=(0, 0), **scale):
    """Bars side by side, one per (label, value or None) of `values`, in that order.

    Each bar is `thickness` wide, `gap` apart, and `bar_length(value, maximum, length, **scale)` long;
    `maximum` defaults to the largest value. Vertical bars stand on the baseline `length` below the
    origin; horizontal ones start at the origin. A missing value gets a bar of length 0.
    """
    if maximum is None:
        maximum = max((value for _, value in values if value is not None), default=0) or 1
    left, top = origin
    bars = []
    for index, (label, value) in enumerate(values):
        along = index * (thickness + gap)
        size = bar_length(value, maximum, length, **scale) or 0
        if vertical:
            bars.append(Bar(label, value, x=left + along, y=top + length - size, width=thickness, height=size))
        else:
            bars.append(Bar(label, value, x=left, y=top + along, width=size, height=thickness))
    span = max(len(values) * (thickness + gap), 1)
    return Chart(bars, width=span if vertical else length, height=length if vertical else span)


def french_decimal(value):
    """2.3 → "2,3"; None → "—"."""
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


def scale_chart_svg(rows, *, maximum, title):
    """A horizontal bar chart of values on the scale 0..maximum, as inline SVG markup (escaped).

    `rows` are (label, value or None), one bar each; a float value is written with a decimal comma.
    The table printed beside it carries the same data. The grid and the bars are one path each.
    """
    label_w, plot_w, bar_h, gap, top = 34, 420, 10, 4, 16
    chart = bar_chart(
        rows, maximum=maximum, length=plot_w, thickness=bar_h, gap=gap, origin=(label_w, top), minimum=1.5
    )
    width = label_w + plot_w + 40
    height = top + len(rows) * (bar_h + gap) + 4
    step = plot_w / maximum
    grid = " ".join(f"M{label_w + level * step:.1f} {top - 4}V{height - 4}" for level in range(maximum + 1))
    texts = [
        f'<text x="{label_w + level * step:.1f}" y="{top - 7}" font-size="8" text-anchor="middle" fill="#666">'
        f"{level}</text>"
        for level in range(maximum + 1)
    ]
    paths = []
    for bar in chart.bars:
        baseline = bar.y + bar_h - 2
        texts.append(f'<text x="0" y="{baseline}" font-size="9">{escape(bar.label)}</text>')
        if bar.value is None:
            texts.append(f'<text x="{label_w + 3}" y="{baseline}" font-size="8" fill="#666">—</text>')
            continue
        paths.append(f"M{bar.x} {bar.y}h{bar.width:.1f}v{bar_h}h{-bar.width:.1f}Z")
        shown = french_decimal(bar.value) if isinstance(bar.value, float) else bar.value
        texts.append(f'<text x="{label_w + bar.width + 4:.1f}" y="{baseline}" font-size="8.5">{shown}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="DejaVu Sans" fill="#161616">'
        f'<path d="{grid}" stroke="#ddd" stroke-width="1" fill="none"/>'
        + (f'<path d="{" ".join(paths)}" fill="#000091"/>' if paths else "")
        + "".join(texts)
        + "</svg>"
    )
