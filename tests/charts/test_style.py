"""charts.style.set_layout / set_axes give the same figure as plotly's update_layout / update_xaxes
(they only skip plotly's per-leaf bookkeeping; an emptied axis title is dropped rather than kept as
`{}`), and `layout` is the shared look."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
from plotly.subplots import make_subplots

from charts import style


def _pruned(value):
    """Without empty objects: plotly keeps `title: {}` where update_xaxes removed an axis title's
    text and drops it when the title is set whole; both draw the same."""
    if isinstance(value, dict):
        out = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v != {}}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def _json(fig: go.Figure) -> str:
    return json.dumps(_pruned(fig.to_dict()), sort_keys=True, default=str)


def _figures() -> list[go.Figure]:
    one = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    one.update_layout(title={"text": "kept?", "font": {"color": "red"}}, legend={"x": 0.5})
    one.update_xaxes(title_text="old", tickformat=",d")
    two = make_subplots(rows=1, cols=3)
    for col in (1, 2, 3):
        two.add_trace(go.Scatter(x=[1, 2], y=[3, col]), row=1, col=col)
    two.update_yaxes(range=[0, 5])
    return [one, two, go.Figure()]


UPDATES = [
    {"title": {"text": "Tỷ lệ hồ sơ trực tuyến", "x": 0, "font": {"size": 16}}, "height": 300},
    {"legend": {"orientation": "h", "y": -0.3, "title": {"text": ""}}, "separators": ",."},
    {"margin": {"l": 8, "r": 8, "t": 60, "b": 8}, "colorway": ["#0072B2", "#E69F00"], "showlegend": False},
    {"title": {"text": None}},
]


@pytest.mark.parametrize("values", UPDATES)
def test_set_layout_equals_update_layout(values):
    for fig in _figures():
        ref = go.Figure(fig)
        ref.update_layout(values)
        assert _json(style.set_layout(go.Figure(fig), values)) == _json(ref)


@pytest.mark.parametrize("title", ["Tháng", None])
@pytest.mark.parametrize("axis", ["x", "y"])
def test_set_axes_equals_update_axes_on_every_axis(axis, title):
    for fig in _figures():
        ref = go.Figure(fig)
        (ref.update_xaxes if axis == "x" else ref.update_yaxes)(title_text=title, automargin=True)
        out = style.set_axes(go.Figure(fig), axis, {"title": {"text": title}, "automargin": True})
        assert _json(out) == _json(ref)


def test_layout_is_the_shared_look():
    fig = style.layout(_figures()[1], "vi", "Một tiêu đề dài " * 4, "Tháng", "Tỷ lệ (%)", subtitle="Phú Thọ")
    lay = fig.layout
    assert lay.separators == ",." and lay.height == style.HEIGHT and lay.title.xanchor == "left"
    assert lay.title.text.count("<br>") >= 1 and lay.title.subtitle.text == "Phú Thọ"
    assert [a.title.text for a in fig.select_xaxes()] == ["Tháng"] * 3
    assert all(a.automargin for a in fig.select_yaxes()) and fig.layout.yaxis.range == (0, 5)
