"""Tables' display text and colours (ui/widgets.py `_styler`) are exactly what pandas' own Styler
rendering gives st.dataframe, for every kind of column, with empty cells, in both languages: the
Styler hands Streamlit the cell texts and styles built column by column instead of through pandas'
HTML renderer (a fifth of a page's server time with ten sessions at once)."""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.elements.lib.pandas_styler_utils import marshall_styler
from streamlit.proto.ArrowData_pb2 import ArrowData

from ui import format, widgets
from ui.columns import kind
from ui.format import EMPTY

LANGS = ("vi", "en")


def pandas_styler(view: pd.DataFrame, lang: str):
    """The reference: pandas' Styler with format.value per column and the colour rules, rendered by
    pandas itself."""
    fmt = {c: functools.partial(format.value, kind=kind(c), lang=lang) for c in view.columns}
    styler = view.style.format(fmt, na_rep=EMPTY)
    for c in view.columns:
        css = widgets._cell_css(c)
        if css is not None:
            styler = styler.map(css, subset=[c])
    return styler


def every_kind() -> pd.DataFrame:
    """One column of each kind a table shows, every one with an empty cell."""
    n = 6
    return pd.DataFrame(
        {
            "index_rank": pd.array([1, 2, 3, None, 12, 1234], dtype="Int64"),
            "commune_name": pd.array(
                ["Văn Bán", "Đại Xuyên", None, "Yên Bái", "Lào Cai", "Sa Pa"], dtype="str"
            ),
            "index_total": [84.5, 72.125, np.nan, 0.0, 100.0, 55.555],
            "tier": pd.array([1, 2, 3, 4, None, 1], dtype="Int64"),
            "index_rank_change": pd.array([3, -2, 0, None, 15, -1], dtype="Int64"),
            "online_rate": [0.4531, 1.0, 0.0, np.nan, 0.999, 0.12345],
            "dossiers_received": pd.array([1234, 0, None, 5, 1_000_000, 7], dtype="Int64"),
            "avg_processing_days": [3.44, np.nan, 0.0, 12.05, 1.0, 2.5],
            "index_total_change": [1.25, -0.5, 0.0, np.nan, 3.0, -10.0],
            "gap": [0.05, 0.0, np.nan, 0.123, 0.5, 0.01],
            "worst_group": ["CKMB", "TDGQ", None, "CLGQ", "TTTT", "MDSH"],
            "kind": ["dossiers", "signatures", "index", None, "dossiers", "index"],
            "commune_code": pd.array([8380, 10, None, 3388, 1840, 7210], dtype="Int64"),
            "loaded_at": pd.to_datetime(
                ["2026-11-01 08:30", None, "2026-12-06 23:59", "2025-07-01 00:00", "2026-01-31 12:00", None]
            ),
        },
        index=range(n),
    )


def marshalled(styler) -> tuple[pd.DataFrame, set[tuple[frozenset, str]]]:
    proto = ArrowData()
    marshall_styler(proto, styler, "x")
    shown = pa.ipc.open_stream(proto.styler.display_values).read_all().to_pandas()
    rules = set()
    for line in proto.styler.styles.splitlines():
        selectors, _, block = line.partition(" { ")
        cells = frozenset(re.sub(r"^#T_\w+?_", "", s.strip()) for s in selectors.split(","))
        rules.add((cells, block.rstrip(" }")))
    return shown, rules


@pytest.mark.parametrize("lang", LANGS)
def test_every_kind_shows_as_pandas_renders_it(lang):
    view = every_kind()
    ours, ours_css = marshalled(widgets._styler(view, lang))
    theirs, theirs_css = marshalled(pandas_styler(view, lang))
    pd.testing.assert_frame_equal(ours, theirs)
    assert ours_css == theirs_css
    # The cases the colours are for: four tiers, up and down in rank; none for an empty or unchanged cell.
    assert len(ours_css) == 6, ours_css
    assert (ours == "None").sum().sum() == 0 and (ours == EMPTY).sum().sum() >= 14


@pytest.mark.parametrize("lang", LANGS)
def test_a_province_ranking_shows_as_pandas_renders_it(lang):
    """A frame shaped like a province's ranking: 150 communes, the columns the overview shows."""
    rng = np.random.default_rng(7)
    n = 150
    view = pd.DataFrame(
        {
            "index_rank": pd.array(np.arange(1, n + 1), dtype="Int64"),
            "commune_name": [f"Xã {i}" for i in range(n)],
            "index_total": np.round(rng.uniform(40, 100, n), 2),
            "tier": pd.array(rng.integers(1, 5, n), dtype="Int64"),
            "index_rank_change": pd.array(rng.integers(-20, 20, n), dtype="Int64"),
            "online_rate": rng.uniform(0, 1, n),
            "commune_code": np.arange(n, dtype="int32"),
        }
    )
    view.loc[::17, "index_total"] = np.nan
    view.loc[::13, "tier"] = pd.NA
    ours, ours_css = marshalled(widgets._styler(view, lang))
    theirs, theirs_css = marshalled(pandas_styler(view, lang))
    pd.testing.assert_frame_equal(ours, theirs)
    assert ours_css == theirs_css


def test_an_empty_table():
    view = every_kind().iloc[0:0]
    ours, ours_css = marshalled(widgets._styler(view, "vi"))
    theirs, theirs_css = marshalled(pandas_styler(view, "vi"))
    pd.testing.assert_frame_equal(ours, theirs)
    assert ours_css == theirs_css == set()
