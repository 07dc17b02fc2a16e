"""The market pages' SVG bar charts: bars in proportion to the figures, stacked series end to end, a negative
figure left of the zero line, and each bar titled with its figure for a pointer or screen reader."""

from decimal import Decimal

import pytest

from market.web.charts import LABEL_WIDTH, PLOT_WIDTH, bar_chart


def test_stacked_series_run_end_to_end_in_proportion():
    chart = bar_chart(title="Placements", series=["Block", "Spot"], rows=[("East", [3, 1]), ("West", [0, 2])])
    east, west = chart.rows
    block, spot = east["rects"]
    assert chart.zero_x == LABEL_WIDTH
    assert block.width == 3 * spot.width
    assert spot.x == block.x + block.width
    assert block.width + spot.width == PLOT_WIDTH  # the longest bar fills the plot
    assert west["rects"][0].width == 0 and west["rects"][1].width == 2 * spot.width
    assert spot.title == "East, Spot: 1"
    assert [entry["name"] for entry in chart.series] == ["Block", "Spot"]
    assert chart.series[0]["colour"] != chart.series[1]["colour"]


def test_a_negative_figure_is_drawn_left_of_the_zero_line():
    chart = bar_chart(
        title="Net",
        series=["Net"],
        rows=[("Year 1", [Decimal("-1000.00")]), ("Year 2", [Decimal("3000.00")])],
        unit="£",
    )
    first, second = (row["rects"][0] for row in chart.rows)
    assert chart.zero_x == pytest.approx(LABEL_WIDTH + PLOT_WIDTH / 4)
    assert first.x + first.width == pytest.approx(chart.zero_x) and second.x == chart.zero_x
    assert second.width == pytest.approx(3 * first.width)
    assert first.title == "Year 1, Net: -1,000.00"
    assert "£0" in [tick["label"] for tick in chart.ticks]


def test_nothing_to_draw_is_an_empty_chart():
    assert bar_chart(title="Nothing", series=["Net"], rows=[]).empty


def test_grouped_series_each_start_at_the_zero_line_one_under_the_other():
    chart = bar_chart(
        title="Cash flow",
        series=["Actual", "Forecast"],
        rows=[("Q1", [Decimal("-400"), Decimal("-300")]), ("Q2", [None, Decimal("100")])],
        grouped=True,
    )
    (actual, forecast), (none, later) = (row["rects"] for row in chart.rows)
    assert actual.x + actual.width == pytest.approx(chart.zero_x) and actual.width == pytest.approx(4 * later.width)
    assert forecast.y == actual.y + actual.height
    assert later.x == pytest.approx(chart.zero_x)
    assert none.width == 0 and none.title == "Q2, Actual: none"


def test_labels_are_written_in_full_so_two_alike_can_be_told_apart():
    chart = bar_chart(
        title="The largest gaps in beds",
        series=["Gap (beds)"],
        rows=[("East Cambridgeshire, Nursing dementia", [3]), ("East Cambridgeshire, Nursing", [2])],
    )
    written = [" ".join(line["text"] for line in row["lines"]) for row in chart.rows]
    assert written == ["East Cambridgeshire, Nursing dementia", "East Cambridgeshire, Nursing"]
    # A label on two lines takes the room of both: the next row's label starts below its last line.
    first, second = chart.rows
    assert [line["text"] for line in first["lines"]] == ["East Cambridgeshire,", "Nursing dementia"]  # at the comma
    assert second["lines"][0]["y"] > first["lines"][-1]["y"] + 10
    assert chart.height > second["lines"][-1]["y"]
