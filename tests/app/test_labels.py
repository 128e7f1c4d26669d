"""Every label the dashboard asks for exists in both languages (metrics/i18n.py)."""

from __future__ import annotations

import re
from pathlib import Path

from metrics.definitions import GROUPS, HEADLINE_RATES, TARGETS
from metrics.i18n import LABELS
from ui.columns import COLUMNS
from ui.nav import PAGES

ROOT = Path(__file__).resolve().parents[2]
LITERAL = re.compile(r"""\b(?:t|tr)\(\s*["']([a-z0-9_]+)["']""")


def test_literal_keys_exist():
    files = [ROOT / "app.py", *ROOT.glob("views/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("charts/*.py")]
    used = {
        key for f in files for key in LITERAL.findall(f.read_text(encoding="utf-8")) if not key.endswith("_")
    }  # "m_" + metric: checked below
    assert used and not sorted(used - LABELS.keys())


def test_composed_keys_exist():
    keys = {p.label_key for p in PAGES} | {key for _, key in COLUMNS.values()}
    keys |= {
        f"m_{m}"
        for m in [
            *HEADLINE_RATES,
            *TARGETS,
            "index_average",
            "index_total",
            "online_full_rate",
            "avg_processing_days",
        ]
    }
    keys |= {f"help_{m}" for m in [*HEADLINE_RATES, "index_average", "index_total"]}
    keys |= {f"group_{g.lower()}" for g in GROUPS} | {f"index_tier_{i}" for i in (1, 2, 3, 4)}
    keys |= {f"source_{s}" for s in ("dossiers", "signatures", "index")}
    keys |= {f"status_{s}" for s in ("loaded", "partial", "duplicate", "failed")}
    keys |= {f"period_type_{p}" for p in ("month", "quarter", "year")}
    keys |= {f"channel_{c}" for c in ("in_person", "online_partial", "online_full", "post")}
    assert not sorted(keys - LABELS.keys())
    assert all(vi.strip() and en.strip() for vi, en in (LABELS[k] for k in keys))
