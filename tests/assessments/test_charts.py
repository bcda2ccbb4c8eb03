import json

import pytest
from plotly.offline import get_plotlyjs_version

from assessments.charts import Band, Marker, attainment_figure, position_figure
from smarketing.settings import BASE_DIR

BANDS = [
    Band(1, "Siloed", "#b03a2e"),
    Band(2, "Strategic", "#9a6700"),
    Band(3, "Operational", "#1f6fa8"),
    Band(4, "Functional", "#1b7a43"),
]


def test_position_figure_draws_four_bands_in_order_and_a_marker():
    figure = position_figure(BANDS, [Marker("You", 2.6)])
    shapes = figure["layout"]["shapes"]
    assert [(s["x0"], s["fillcolor"]) for s in shapes] == [(b.number, b.colour) for b in BANDS]
    # Stage names are in the page's HTML key, never squeezed into the bands.
    assert not figure["layout"].get("annotations")
    [trace] = figure["data"]
    assert trace["type"] == "scatter" and trace["x"] == [2.6] and trace["y"] == ["You"]
    assert trace["text"] == ["2.6"]


@pytest.mark.parametrize("position", [1.0, 4.0])
def test_marker_at_either_end_stays_inside_the_axis(position):
    figure = position_figure(BANDS, [Marker("You", position)])
    low, high = figure["layout"]["xaxis"]["range"]
    assert low < position < high


def test_several_markers_get_their_own_rows_and_faded_ones_are_lighter():
    figure = position_figure(BANDS, [Marker("Now", 2.6), Marker("Before", 1.8, faded=True)])
    now, before = figure["data"]
    assert now["y"] != before["y"]
    # The first marker is the top row.
    assert figure["layout"]["yaxis"]["categoryarray"] == ["Before", "Now"]
    assert before["marker"]["opacity"] < now["marker"]["opacity"]


def test_attainment_figure_has_bars_in_percent_and_the_threshold_line():
    figure = attainment_figure(BANDS, [(2, 1.0), (3, 0.456), (4, None)], 75, "Stage %(number)s")
    [bar] = figure["data"]
    assert bar["type"] == "bar"
    assert bar["x"] == ["Stage 2", "Stage 3", "Stage 4"]
    assert bar["text"] == ["100%", "45%", "?"]
    assert bar["y"] == [100, 45, 0]  # cut, like every percentage shown; none unmeasured
    assert bar["marker"]["color"] == ["#9a6700", "#1f6fa8", "#1b7a43"]
    [line] = figure["layout"]["shapes"]
    assert line["y0"] == line["y1"] == 75


def test_user_text_in_labels_stays_data_not_markup():
    figure = position_figure(BANDS, [Marker("</script><b>x</b>", 2.0)])
    # json_script escapes < > & when the dict reaches the page; here it is plain text.
    assert '"</script><b>x</b>"' in json.dumps(figure)


def test_only_trace_types_of_the_basic_plotly_bundle_are_used():
    figures = [
        position_figure(BANDS, [Marker("You", 2.6)]),
        attainment_figure(BANDS, [(2, 0.5), (3, 0.0), (4, 0.0)], 75),
    ]
    assert {trace["type"] for f in figures for trace in f["data"]} <= {"scatter", "bar"}


def test_vendored_plotly_js_matches_the_python_package():
    version = get_plotlyjs_version()
    bundle = BASE_DIR / f"static/vendor/plotly.js-basic-{version}/plotly-basic.min.js"
    assert bundle.exists(), f"vendor plotly.js-basic-dist-min {version}"


def test_marker_value_uses_the_locales_decimal_mark_and_is_cut_not_rounded():
    figure = position_figure(BANDS, [Marker("Su posición. Hoy", 2.97)], decimal_mark=",")
    assert figure["data"][0]["text"] == ["2,9"]


def test_a_lower_bound_is_written_as_such():
    figure = position_figure(BANDS, [Marker("Team", 2.4, at_least=True)])
    assert figure["data"][0]["text"] == ["≥ 2.4"]


@pytest.mark.parametrize("position, side", [(1.0, "right"), (3.7, "right"), (4.0, "left")])
def test_a_value_is_written_on_the_side_with_room(position, side):
    [trace] = position_figure(BANDS, [Marker("You", position)])["data"]
    assert trace["textposition"] == f"middle {side}"


def test_progress_has_one_tick_per_round_labelled_with_its_date():
    from assessments.charts import Series, progress_figure

    labels = ["5 Jan 2026", "6 Jan 2026", "1 Jun 2026"]
    figure = progress_figure(
        BANDS,
        labels,
        [
            Series("Team", [0, 1, 2], [1.5, 1.6, 2.1]),
            Series("Sales side", [0, 2], [1.2, 2.0], secondary=True),
        ],
        decimal_mark=",",
    )
    xaxis = figure["layout"]["xaxis"]
    assert xaxis["tickvals"] == [0, 1, 2] and xaxis["ticktext"] == labels
    team, sales = figure["data"]
    assert sales["x"] == [0, 2] and sales["text"] == ["5 Jan 2026: 1,2", "1 Jun 2026: 2,0"]
    assert figure["layout"]["showlegend"]


def test_role_group_markers_are_drawn_smaller_than_the_team():
    team, group = position_figure(
        BANDS, [Marker("Team", 2.5), Marker("Sales side", 2.0, secondary=True)]
    )["data"]
    assert group["marker"]["size"] < team["marker"]["size"]
    assert group["marker"]["symbol"] != team["marker"]["symbol"]


def test_every_figure_is_a_valid_plotly_figure():
    import plotly.graph_objects as go

    from assessments.charts import Series, progress_figure

    figures = [
        position_figure(BANDS, [Marker("You", 2.6), Marker("Before", 2.0, faded=True)]),
        attainment_figure(BANDS, [(2, 0.5), (3, 0.1), (4, None)], 75, "Stage %(number)s"),
        progress_figure(BANDS, ["1 Jan 2026", "1 Apr 2026"], [Series("Team", [0, 1], [1.5, 2.1])]),
    ]
    for figure in figures:
        go.Figure(figure)  # raises on any property plotly does not know


def test_reused_layouts_are_not_changed_by_later_figures():
    one = position_figure(BANDS, [Marker("A", 2.0)])
    three = position_figure(BANDS, [Marker("A", 2.0), Marker("B", 3.0), Marker("C", 1.0)])
    assert one["layout"]["height"] < three["layout"]["height"]
    assert position_figure(BANDS, [Marker("A", 2.0)]) == one


def test_a_long_row_label_goes_on_two_lines_to_leave_the_plot_its_room():
    figure = position_figure(BANDS, [Marker("Equipo de marketing", 2.0), Marker("Equipo", 2.4)])
    assert figure["data"][0]["y"] == ["Equipo de<br>marketing"]
    assert figure["data"][0]["name"] == "Equipo de marketing"
    assert figure["layout"]["yaxis"]["categoryarray"] == ["Equipo", "Equipo de<br>marketing"]
