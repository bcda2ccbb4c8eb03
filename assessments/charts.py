"""Plotly figures for the continuum, built from plain data; each returns a JSON-ready dict.

Pages hand these dicts to plotly.js with ``json_script``; labels arrive already
translated, so this module knows nothing about requests or languages.

Validating a whole figure with plotly costs milliseconds, and the stage bands
behind every chart are the same for a given set of stages: their layouts are
built once per set of bands and reused, and only the traces (a fraction of a
millisecond each) are built per request. Callers must not mutate the dicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import plotly.graph_objects as go

from .scoring import one_decimal, percent

TEXT_COLOUR = "#212529"
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 13}
# Stage 4 is the end of the continuum, drawn as a short band beyond 4.0.
LAST_BAND_END = 4.4
TRANSPARENT = "rgba(0,0,0,0)"


@dataclass(frozen=True)
class Band:
    number: int
    name: str
    colour: str

    @property
    def end(self):
        return self.number + 1 if self.number < 4 else LAST_BAND_END

    @property
    def label(self):
        return f"{self.number} · {self.name}"


@dataclass(frozen=True)
class Marker:
    label: str
    position: float
    faded: bool = False  # an earlier result, drawn lighter
    secondary: bool = False  # a part of the whole (a role group), drawn smaller
    at_least: bool = False  # a lower bound: a stage was not measured


@dataclass(frozen=True)
class Series:
    label: str
    rounds: list[int]  # indexes into the figure's round labels
    positions: list[float]
    secondary: bool = False


def bands(stages):
    """Return chart bands from Stage objects."""
    return tuple(Band(stage.number, str(stage.name), stage.colour) for stage in stages)


# Stage names stay out of the plots: beside four narrow bands they overlap on a
# phone. Pages print them in an HTML key under each chart (includes/stage_key.html),
# and the plots carry only numbers and short labels.


def position_figure(stage_bands, markers: list[Marker], decimal_mark=".") -> dict:
    """Draw the continuum 1–4 as coloured stage bands with a row per marker.

    Each marker's name is its row's label on the left, its value is written
    beside it: names never meet, whatever the positions.
    """
    traces = [_marker(marker, decimal_mark) for marker in markers]
    layout = _continuum_layout(tuple(stage_bands))
    layout = {
        **layout,
        "height": 90 + 44 * len(markers),
        "yaxis": {
            **layout["yaxis"],
            "categoryarray": [_row_label(m.label) for m in reversed(markers)],
        },
    }
    return {"data": traces, "layout": layout}


# A row label longer than this goes on two lines, so that it leaves the plot its
# room on a phone ("Equipo de marketing" beside the continuum at 320 px).
ROW_LABEL_WIDTH = 14


def _row_label(label: str) -> str:
    if len(label) <= ROW_LABEL_WIDTH or " " not in label:
        return label
    middle = len(label) / 2
    cut = min((i for i, c in enumerate(label) if c == " "), key=lambda i: abs(i - middle))
    return f"{label[:cut]}<br>{label[cut + 1 :]}"


def attainment_figure(
    stage_bands, rows, threshold_percent: int, tick: str = "%(number)s", unknown: str = "?"
) -> dict:
    """Draw each scored stage's attainment as a bar, with the reached threshold as a line.

    ``rows`` are (stage number, attainment 0..1 or None) pairs; a stage that was
    not measured gets no bar, only the ``unknown`` text. ``tick`` names a bar
    from its stage number, short enough for a phone.
    """
    by_number = {band.number: band for band in stage_bands}
    percents = [None if value is None else percent(value) for _, value in rows]
    bar = go.Bar(
        x=[tick % {"number": number} for number, _ in rows],
        y=[0 if p is None else p for p in percents],
        marker={"color": [by_number[number].colour for number, _ in rows]},
        text=[unknown if p is None else f"{p}%" for p in percents],
        textposition="outside",
        textfont={"color": TEXT_COLOUR},
        cliponaxis=False,
        hoverinfo="x+text",
    ).to_plotly_json()
    return {"data": [bar], "layout": _attainment_layout(threshold_percent)}


def progress_figure(
    stage_bands, round_labels: list[str], series: list[Series], decimal_mark="."
) -> dict:
    """Draw each round's position, one tick per round, in front of the four stage bands.

    Rounds sit at even steps labelled with their names, so two rounds close in
    time never share a tick or overlap their labels.
    """
    traces = [
        go.Scatter(
            x=line.rounds,
            y=line.positions,
            name=line.label,
            mode="lines+markers",
            line={
                "width": 1.5 if line.secondary else 3,
                "dash": "dot" if line.secondary else "solid",
            },
            marker={"size": 6 if line.secondary else 10},
            text=[
                f"{round_labels[index]}: {_number(p, decimal_mark)}"
                for index, p in zip(line.rounds, line.positions, strict=True)
            ],
            hovertemplate="%{text}<extra>" + line.label + "</extra>",
        ).to_plotly_json()
        for line in series
    ]
    layout = _progress_layout(tuple(stage_bands))
    ticks = list(range(len(round_labels)))
    layout = {
        **layout,
        "showlegend": len(series) > 1,
        "xaxis": {
            **layout["xaxis"],
            "tickvals": ticks,
            "ticktext": round_labels,
            "range": [-0.5, max(len(round_labels) - 0.5, 0.5)],
        },
    }
    return {"data": traces, "layout": layout}


@dataclass(frozen=True)
class PeerRow:
    label: str
    low: float  # the group's lower quartile
    median: float
    high: float  # the group's upper quartile
    own: float


def peer_figure(rows: list[PeerRow], labels: tuple[str, str, str], x_range, suffix="") -> dict:
    """Draw each row's peer quartiles as a bar, the median as a tick and one's own as a diamond.

    LABELS name the three traces: middle half of peers, peers' median, yours.
    """
    middle, median, own = labels
    names = [row.label for row in rows]
    traces = [
        go.Bar(
            y=names,
            x=[row.high - row.low for row in rows],
            base=[row.low for row in rows],
            orientation="h",
            name=middle,
            marker={"color": "#9ec5fe"},
            hovertemplate="%{base}–%{x}" + suffix + "<extra>" + middle + "</extra>",
            width=0.5,
        ).to_plotly_json(),
        go.Scatter(
            y=names,
            x=[row.median for row in rows],
            mode="markers",
            name=median,
            marker={
                "symbol": "line-ns-open",
                "size": 24,
                "color": TEXT_COLOUR,
                "line": {"width": 3},
            },
            hovertemplate="%{x}" + suffix + "<extra>" + median + "</extra>",
        ).to_plotly_json(),
        go.Scatter(
            y=names,
            x=[row.own for row in rows],
            mode="markers",
            name=own,
            marker={"symbol": "diamond", "size": 14, "color": "#d63384"},
            hovertemplate="%{x}" + suffix + "<extra>" + own + "</extra>",
        ).to_plotly_json(),
    ]
    layout = {
        "height": 110 + 50 * len(rows),
        "margin": {"l": 10, "r": 16, "t": 10, "b": 10},
        "font": FONT,
        "barmode": "overlay",
        # Above the plot, clear of the axis; row labels stay short (stage numbers).
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "xaxis": {
            "range": list(x_range),
            "ticksuffix": suffix,
            "fixedrange": True,
            "automargin": True,
        },
        "yaxis": {"autorange": "reversed", "fixedrange": True, "automargin": True},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
    }
    return {"data": traces, "layout": layout}


def count_figure(labels: list[str], counts: list[int], axis_label: str) -> dict:
    """Draw one bar per label with its count written on it."""
    bar = go.Bar(
        x=labels,
        y=counts,
        text=[str(count) for count in counts],
        textposition="outside",
        textfont={"color": TEXT_COLOUR},
        cliponaxis=False,
        marker={"color": "#6ea8fe"},
        hoverinfo="x+text",
    ).to_plotly_json()
    layout = {
        "height": 300,
        "margin": {"l": 50, "r": 10, "t": 20, "b": 10},
        "font": FONT,
        "showlegend": False,
        "yaxis": {"title": {"text": axis_label}, "rangemode": "tozero", "fixedrange": True},
        # Labels turn upright when they run short of room on a phone.
        "xaxis": {"fixedrange": True, "automargin": True, "autotickangles": [0, 90]},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
    }
    return {"data": [bar], "layout": layout}


def _marker(marker: Marker, decimal_mark: str) -> dict:
    # The value goes on the side with room: right of the marker, left near the end.
    return go.Scatter(
        x=[marker.position],
        y=[_row_label(marker.label)],
        mode="markers+text",
        name=marker.label,
        text=[f"{'≥ ' if marker.at_least else ''}{_number(marker.position, decimal_mark)}"],
        textposition="middle right" if marker.position < 3.8 else "middle left",
        marker={
            "size": 11 if marker.secondary or marker.faded else 16,
            "symbol": "circle" if marker.secondary else "diamond",
            "color": TEXT_COLOUR,
            "opacity": 0.4 if marker.faded else 1,
            "line": {"width": 2, "color": "#ffffff"},
        },
        textfont={"color": TEXT_COLOUR},
        cliponaxis=False,
        hoverinfo="y+text",
    ).to_plotly_json()


@lru_cache(maxsize=64)
def _continuum_layout(stage_bands: tuple[Band, ...]) -> dict:
    fig = go.Figure()
    for band in stage_bands:
        fig.add_shape(
            type="rect",
            x0=band.number,
            x1=band.end,
            y0=0,
            y1=1,
            yref="paper",
            fillcolor=band.colour,
            opacity=0.22,
            line={"width": 0},
            layer="below",
        )
    fig.update_layout(
        template="none",
        margin={"l": 10, "r": 16, "t": 10, "b": 36},
        showlegend=False,
        font=FONT,
        xaxis={
            "range": [0.95, LAST_BAND_END + 0.05],
            "tickvals": [1, 2, 3, 4],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "automargin": True,
            "fixedrange": True,
            "showgrid": False,
            "ticks": "",
        },
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
    )
    return _as_dict(fig)["layout"]


@lru_cache(maxsize=64)
def _attainment_layout(threshold_percent: int) -> dict:
    fig = go.Figure()
    fig.add_shape(
        type="line",
        xref="paper",
        x0=0,
        x1=1,
        y0=threshold_percent,
        y1=threshold_percent,
        line={"color": TEXT_COLOUR, "width": 2, "dash": "dash"},
    )
    fig.update_layout(
        template="none",
        height=280,
        margin={"l": 50, "r": 10, "t": 24, "b": 40},
        showlegend=False,
        font=FONT,
        yaxis={"range": [0, 100], "ticksuffix": "%", "fixedrange": True},
        xaxis={"fixedrange": True, "automargin": True},
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
    )
    return _as_dict(fig)["layout"]


@lru_cache(maxsize=64)
def _progress_layout(stage_bands: tuple[Band, ...]) -> dict:
    fig = go.Figure()
    for band in stage_bands:
        fig.add_shape(
            type="rect",
            xref="paper",
            x0=0,
            x1=1,
            y0=band.number,
            y1=band.end,
            fillcolor=band.colour,
            opacity=0.18,
            line={"width": 0},
            layer="below",
        )
    fig.update_layout(
        template="none",
        height=340,
        margin={"l": 30, "r": 10, "t": 10, "b": 10},
        font=FONT,
        # Above the plot, clear of the dates, which turn upright when they run short of room.
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"},
        yaxis={"range": [1, LAST_BAND_END], "tickvals": [1, 2, 3, 4], "fixedrange": True},
        xaxis={
            "type": "linear",
            "autotickangles": [0, 90],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "automargin": True,
        },
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
    )
    return _as_dict(fig)["layout"]


def _number(position: float, decimal_mark: str) -> str:
    return str(one_decimal(position)).replace(".", decimal_mark)


def _as_dict(fig: go.Figure) -> dict:
    # to_json applies plotly's own encoder; the round trip leaves plain types only.
    return json.loads(fig.to_json())
