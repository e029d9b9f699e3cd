"""The bar geometry of every chart, and the PDFs' SVG chart, on edge values."""

import re

import pytest

from documents.charts import Bar, bar_chart, bar_length, french_decimal, scale_chart_svg


def test_no_values_make_an_empty_chart_of_positive_size():
    chart = bar_chart([], length=120, thickness=22, gap=8, vertical=True)
    assert chart.bars == [] and chart.width == 1 and chart.height == 120


def test_columns_are_scaled_to_the_largest_value_and_stand_on_the_baseline():
    chart = bar_chart([("a", 0), ("b", 5), ("c", 10)], length=120, thickness=22, gap=8, vertical=True, whole=True)
    assert chart.bars == [
        Bar("a", 0, x=0, y=120, width=22, height=0),
        Bar("b", 5, x=30, y=60, width=22, height=60),
        Bar("c", 10, x=60, y=0, width=22, height=120),
    ]
    assert (chart.width, chart.height) == (90, 120)


def test_all_zero_values_make_flat_bars_not_a_division_by_zero():
    chart = bar_chart([("a", 0), ("b", 0)], length=100, vertical=True)
    assert [bar.height for bar in chart.bars] == [0, 0]


def test_horizontal_bars_on_a_fixed_scale_start_at_the_origin():
    chart = bar_chart(
        [("1.1", 5), ("1.2", 0), ("1.3", None), ("1.4", 2.5)],
        maximum=5,
        length=420,
        thickness=10,
        gap=4,
        origin=(34, 16),
        minimum=1.5,
    )
    assert [(bar.x, bar.y, bar.width, bar.height) for bar in chart.bars] == [
        (34, 16, 420, 10),  # the maximum: the whole length
        (34, 30, 1.5, 10),  # zero: still a sliver, so the bar is seen
        (34, 44, 0, 10),  # no value: no bar
        (34, 58, 210, 10),
    ]
    assert (chart.width, chart.height) == (420, 56)


@pytest.mark.parametrize(("value", "expected"), [(None, None), (0, 0), (3, 60), (5, 100), (7, 100), (2.5, 50), (1, 20)])
def test_bar_length_is_a_share_of_the_length_capped_at_the_maximum(value, expected):
    assert bar_length(value, 5, 100, whole=True) == expected


def test_bar_length_rounds_only_when_asked():
    assert bar_length(1, 3, 100) == pytest.approx(33.333, abs=0.001)
    assert bar_length(1, 3, 100, whole=True) == 33
    assert bar_length(0, 3, 100, minimum=1.5) == 1.5


def test_french_decimal():
    assert (french_decimal(2.34), french_decimal(3.0), french_decimal(None)) == ("2,3", "3,0", "—")


def bar_widths(svg):
    bars = re.search(r'<path d="([^"]*)" fill="#000091"/>', svg)
    return [float(w) for w in re.findall(r"h(\d+\.\d)v", bars.group(1))] if bars else []


def test_scale_chart_svg_draws_the_grid_bars_and_values():
    svg = scale_chart_svg([("1.1", 5), ("2.3", 0), ("4.1", None), ("5.2", 2.4)], maximum=5, title="Niveaux")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and 'aria-label="Niveaux"' in svg
    assert bar_widths(svg) == [420.0, 1.5, 201.6]
    assert [int(t) for t in re.findall(r'fill="#666">(\d)</text>', svg)] == [0, 1, 2, 3, 4, 5]
    assert ">2,4</text>" in svg and ">5</text>" in svg and ">—</text>" in svg


def test_scale_chart_svg_without_rows_or_values_has_no_bars():
    assert bar_widths(scale_chart_svg([], maximum=5, title="Vide")) == []
    assert bar_widths(scale_chart_svg([("1.1", None)], maximum=5, title="Vide")) == []


def test_scale_chart_svg_follows_the_maximum_and_escapes_text():
    svg = scale_chart_svg([("<b>", 6)], maximum=8, title='Élève "x" & co')
    assert [int(t) for t in re.findall(r'fill="#666">(\d)</text>', svg)] == list(range(9))
    assert bar_widths(svg) == [315.0]
    assert "<b>" not in svg and "&lt;b&gt;" in svg and 'aria-label="Élève &quot;x&quot; &amp; co"' in svg
