"""The label catalogue (Vietnamese and English side by side) and number/date formatting.

Every user-visible word comes from LABELS; pages, reports and charts call `t(key, lang)`.
Numbers are written 1.234,5 and dates dd/mm/yyyy in Vietnamese; 1,234.5 and dd/mm/yyyy in English.
"""

from __future__ import annotations

import math
from datetime import date, datetime

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

LABELS: dict[str, tuple[str, str]] = {
    # app shell
    "app_title": ("Chuyển đổi số cấp xã", "Commune digital transformation"),
    "app_subtitle": ("Bảng điều khiển Bình dân học vụ số: hồ sơ trực tuyến, ký số, chỉ số phục vụ",
                     "Popular Digital Education dashboard: online filings, digital signatures, service index"),
    "demo_banner": ("Dữ liệu minh họa (demo): số liệu được sinh tự động, không phải số liệu thật.",
                    "Demo data: figures are generated, not real."),
    "no_warehouse": ("Chưa có kho dữ liệu. Chạy `make run` (tự tạo dữ liệu minh họa) hoặc "
                     "`python -m etl load TỆP` để nạp tệp.",
                     "No warehouse yet. Run `make run` (builds the demo) or `python -m etl load FILE`."),
    "coverage": ("Phạm vi dữ liệu", "Data coverage"),
    "data_as_of": ("Dữ liệu đến", "Data as of"),
    "source": ("Nguồn", "Source"),
    "rows": ("Số dòng", "Rows"),
    "communes_with_data": ("Số xã có dữ liệu", "Communes with data"),
    "communes_in_scope": ("Tổng số xã", "Communes in scope"),
    "first_month": ("Tháng đầu", "First month"),
    "last_month": ("Tháng cuối", "Last month"),
    "source_dossiers": ("Hồ sơ TTHC", "Dossiers"),
    "source_signatures": ("Ký số văn bản", "Digital signatures"),
    "source_index": ("Chỉ số phục vụ (766)", "Service index (766)"),
    "language": ("Ngôn ngữ", "Language"),
}


def t(key: str, lang: str = DEFAULT_LANG) -> str:
    vi, en = LABELS[key]
    return en if lang == "en" else vi


def fmt_number(value: float | int | None, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    """1.234,5 (vi) / 1,234.5 (en); '–' for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def fmt_pct(fraction: float | None, lang: str = DEFAULT_LANG, decimals: int = 1) -> str:
    """A 0..1 fraction as a percentage: 0,8971 -> '89,7%' (vi) / '89.7%' (en)."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return "–"
    return fmt_number(fraction * 100, lang, decimals) + "%"


def fmt_date(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    return value.strftime("%d/%m/%Y")


def fmt_month(value: date | datetime | None, lang: str = DEFAULT_LANG) -> str:
    if value is None:
        return "–"
    return value.strftime("%m/%Y")
