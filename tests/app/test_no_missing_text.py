"""No page shows Python's missing-value text (None, nan, NaT, <NA>) anywhere, in both languages: every
table shows an empty cell as '–' (its display values and its placeholder for null cells, which the
browser would otherwise draw as "None"), and no text element carries the words."""

from __future__ import annotations

import re

import pyarrow as pa
import pytest

from metrics.i18n import t
from tests.app.test_pages import DAI_XUYEN, HA_NOI, LANGS, PHU_THO, VAN_BAN, run_page
from ui.format import EMPTY

MISSING = re.compile(r"(?<![\w<])(None|nan|NaN|NaT|<NA>)(?![\w>])")
PAGES = [
    ("province", {"province": PHU_THO}),
    ("national", {"province": PHU_THO}),
    ("commune", {"province": PHU_THO, "commune": VAN_BAN}),
    ("commune", {"province": HA_NOI, "commune": DAI_XUYEN}),
    ("filings", {"province": PHU_THO}),
    ("filings", {"province": PHU_THO, "commune": VAN_BAN}),
    ("signatures", {"province": PHU_THO}),
    ("service_index", {"province": PHU_THO}),
    ("service_index", {"province": PHU_THO, "commune": VAN_BAN}),
    ("skills", {"province": PHU_THO}),
    ("skills", {"province": PHU_THO, "commune": VAN_BAN}),
    ("quality", {"province": PHU_THO}),
]


def texts(at) -> list[str]:
    out = []
    for kind in (
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
        "title",
        "header",
        "subheader",
    ):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value} {m.delta or ''}" for m in at.metric]
    return out


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("page", "params"), PAGES, ids=[f"{p}-{'-'.join(map(str, q.values()))}" for p, q in PAGES]
)
def test_no_missing_value_text(app_env, page, params, lang):
    at = run_page(page, period="2025-10", lang=lang, **params)
    assert at.dataframe, page  # the page has tables to check
    for frame in at.dataframe:
        assert frame.proto.placeholder == EMPTY, (page, frame.proto.id)
        shown = frame.proto.arrow_data.styler.display_values
        assert shown, (page, "table without display formatting")
        cells = pa.ipc.open_stream(shown).read_all().to_pandas()
        bad = [(c, v) for c in cells.columns for v in cells[c] if v is None or MISSING.search(str(v))]
        assert not bad, (page, lang, bad[:5])
    for text in texts(at):
        assert not MISSING.search(text), (page, lang, text)


@pytest.mark.parametrize("lang", LANGS)
def test_freshness_lists_the_digital_skills_sources(app_env, lang):
    at = run_page("quality", province=PHU_THO, period="2025-10", lang=lang)
    fresh = [f for f in at.dataframe if f.proto.id and "freshness" in f.proto.id] or at.dataframe[:1]
    cells = pa.ipc.open_stream(fresh[0].proto.arrow_data.styler.display_values).read_all().to_pandas()
    sources = set(cells.iloc[:, 0])
    for key in (
        "source_dossiers",
        "source_training",
        "source_vneid",
        "source_digital_teams",
        "source_population",
    ):
        assert t(key, lang) in sources, (key, sources)
