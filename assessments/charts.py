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
    dates: list[str]  # ISO dates
    positions: list[float]
    secondary: bool = False


def bands(stages):
    """Return chart bands from Stage objects."""
    return tuple(Band(stage.number, str(stage.name), stage.colour) for stage in stages)


def position_figure(stage_bands, markers: list[Marker], decimal_mark=".") -> dict:
    """Draw the continuum 1–4 as coloured stage bands with a marker per position."""
    rows = len(markers)
    traces = [
        _marker(marker, (index + 1) / (rows + 1), decimal_mark)
        for index, marker in enumerate(markers)
    ]
    layout = {**_continuum_layout(tuple(stage_bands)), "height": 150 + 30 * rows}
    return {"data": traces, "layout": layout}


def attainment_figure(
    stage_bands, rows, threshold_percent: int, label: str, unknown: str = "?"
) -> dict:
    """Draw each scored stage's attainment as a bar, with the reached threshold marked.

    ``rows`` are (stage number, attainment 0..1 or None) pairs; a stage that was
    not measured gets no bar, only the ``unknown`` text.
    """
    by_number = {band.number: band for band in stage_bands}
    percents = [None if value is None else percent(value) for _, value in rows]
    bar = go.Bar(
        x=[by_number[number].label for number, _ in rows],
        y=[0 if p is None else p for p in percents],
        marker={"color": [by_number[number].colour for number, _ in rows]},
        text=[unknown if p is None else f"{p}%" for p in percents],
        textposition="outside",
        textfont={"color": TEXT_COLOUR},
        hoverinfo="x+text",
    ).to_plotly_json()
    return {"data": [bar], "layout": _attainment_layout(threshold_percent, label)}


def progress_figure(stage_bands, series: list[Series], decimal_mark=".") -> dict:
    """Draw each round's position over time, in front of the four stage bands."""
    traces = [
        go.Scatter(
            x=line.dates,
            y=line.positions,
            name=line.label,
            mode="lines+markers",
            line={
                "width": 1.5 if line.secondary else 3,
                "dash": "dot" if line.secondary else "solid",
            },
            marker={"size": 6 if line.secondary else 10},
            text=[_number(p, decimal_mark) for p in line.positions],
            hovertemplate="%{x}: %{text}<extra>" + line.label + "</extra>",
        ).to_plotly_json()
        for line in series
    ]
    layout = {**_progress_layout(tuple(stage_bands)), "showlegend": len(series) > 1}
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
        "margin": {"l": 140, "r": 20, "t": 10, "b": 60},
        "font": FONT,
        "barmode": "overlay",
        "legend": {"orientation": "h", "y": -0.35},
        "xaxis": {"range": list(x_range), "ticksuffix": suffix, "fixedrange": True},
        "yaxis": {"autorange": "reversed", "fixedrange": True},
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
        marker={"color": "#6ea8fe"},
        hoverinfo="x+text",
    ).to_plotly_json()
    layout = {
        "height": 300,
        "margin": {"l": 50, "r": 20, "t": 20, "b": 40},
        "font": FONT,
        "showlegend": False,
        "yaxis": {"title": {"text": axis_label}, "rangemode": "tozero", "fixedrange": True},
        "xaxis": {"fixedrange": True},
        "paper_bgcolor": TRANSPARENT,
        "plot_bgcolor": TRANSPARENT,
    }
    return {"data": [bar], "layout": layout}


def _marker(marker: Marker, y: float, decimal_mark: str) -> dict:
    return go.Scatter(
        x=[marker.position],
        y=[y],
        mode="markers+text",
        name=marker.label,
        text=[
            f"{marker.label}: {'≥ ' if marker.at_least else ''}"
            f"{_number(marker.position, decimal_mark)}"
        ],
        textposition="middle right" if marker.position < 3.2 else "middle left",
        marker={
            "size": 11 if marker.secondary or marker.faded else 16,
            "symbol": "circle" if marker.secondary else "diamond",
            "color": TEXT_COLOUR,
            "opacity": 0.4 if marker.faded else 1,
            "line": {"width": 2, "color": "#ffffff"},
        },
        textfont={"color": TEXT_COLOUR},
        hoverinfo="text",
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
        fig.add_annotation(
            x=(band.number + band.end) / 2,
            y=1,
            yref="paper",
            yanchor="bottom",
            text=band.label,
            showarrow=False,
            font={"color": TEXT_COLOUR, "size": 12},
        )
    fig.update_layout(
        template="none",
        margin={"l": 20, "r": 20, "t": 40, "b": 40},
        showlegend=False,
        font=FONT,
        xaxis={
            "range": [0.95, LAST_BAND_END + 0.05],
            "tickvals": [1, 2, 3, 4],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={"range": [0, 1], "visible": False, "fixedrange": True},
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
    )
    return _as_dict(fig)["layout"]


@lru_cache(maxsize=64)
def _attainment_layout(threshold_percent: int, label: str) -> dict:
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
    fig.add_annotation(
        xref="paper",
        x=1,
        y=threshold_percent,
        xanchor="right",
        yanchor="bottom",
        text=label,
        showarrow=False,
        font={"color": TEXT_COLOUR, "size": 12},
    )
    fig.update_layout(
        template="none",
        height=300,
        margin={"l": 50, "r": 20, "t": 20, "b": 40},
        showlegend=False,
        font=FONT,
        yaxis={"range": [0, 110], "ticksuffix": "%", "fixedrange": True},
        xaxis={"fixedrange": True},
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
        fig.add_annotation(
            xref="paper",
            x=0,
            xanchor="left",
            y=(band.number + band.end) / 2,
            text=band.label,
            showarrow=False,
            font={"color": TEXT_COLOUR, "size": 11},
        )
    fig.update_layout(
        template="none",
        height=340,
        margin={"l": 40, "r": 20, "t": 20, "b": 40},
        font=FONT,
        legend={"orientation": "h", "y": -0.15},
        yaxis={"range": [1, LAST_BAND_END], "tickvals": [1, 2, 3, 4], "fixedrange": True},
        xaxis={"type": "date", "fixedrange": True, "tickformat": "%Y-%m-%d"},
        paper_bgcolor=TRANSPARENT,
        plot_bgcolor=TRANSPARENT,
    )
    return _as_dict(fig)["layout"]


def _number(position: float, decimal_mark: str) -> str:
    return str(one_decimal(position)).replace(".", decimal_mark)


def _as_dict(fig: go.Figure) -> dict:
    # to_json applies plotly's own encoder; the round trip leaves plain types only.
    return json.loads(fig.to_json())
