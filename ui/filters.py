"""The global filters (province, commune, period, language) and their URL form, without Streamlit.

`parse` turns the query string into valid filters and a list of notices for what it could not use:
an unknown or malformed value falls back to its default and says so; it never raises.
URL form: `?province=25&commune=8380&period=2025-10&lang=en` (quarter `2025-Q4`, year `2025`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from core.periods import Period, parse_period
from metrics.calendar import period_of
from metrics.i18n import DEFAULT_LANG, LANGS, t
from ui.untrusted import literal

KEYS = ("province", "commune", "period", "lang")
RAW = frozenset({"value"})  # the placeholder that holds the rejected URL value


@dataclass(frozen=True)
class Options:
    """What the filters may take: the provinces and communes in scope and the months with data."""

    provinces: dict[int, str]
    communes: dict[int, tuple[str, int]]  # commune_code -> (name, province_code)
    first_month: date | None
    last_month: date | None
    _sorted: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    @property
    def default_province(self) -> int | None:
        return min(self.provinces) if self.provinces else None

    @property
    def default_period(self) -> Period | None:
        return period_of("month", self.last_month) if self.last_month else None

    def communes_of(self, province: int | None) -> list[int]:
        """Commune codes of the province, in name order (Vietnamese alphabetical, ignoring accents).
        Sorted once per province (an Options is shared by the sessions: ui.state.load_options)."""
        if province not in self._sorted:
            codes = [c for c, (_, p) in self.communes.items() if p == province]
            self._sorted[province] = sorted(codes, key=lambda c: (sort_key(self.communes[c][0]), c))
        return list(self._sorted[province])

    def has_data(self, period: Period) -> bool:
        return (
            self.first_month is not None
            and self.last_month is not None
            and period.end > self.first_month
            and period.start <= self.last_month
        )


@dataclass(frozen=True)
class Notice:
    """Something in the URL that could not be used: label key + values for its placeholders.
    `untrusted` names the placeholders that hold text from the URL: `text` shows them literally
    (a markdown code span), never as markdown or HTML."""

    key: str
    args: dict = field(default_factory=dict)
    untrusted: frozenset[str] = frozenset()

    def text(self, lang: str) -> str:
        """The notice in `lang`, as markdown safe to render."""
        args = {k: literal(v) if k in self.untrusted else v for k, v in self.args.items()}
        return t(self.key, lang).format(**args)


@dataclass(frozen=True)
class Filters:
    province: int | None
    commune: int | None
    period: Period | None
    lang: str = DEFAULT_LANG

    @property
    def period_type(self) -> str:
        return self.period.period_type if self.period else "month"

    def params(self) -> dict[str, str]:
        """The URL query parameters of these filters."""
        out = {}
        if self.province is not None:
            out["province"] = str(self.province)
        if self.commune is not None:
            out["commune"] = str(self.commune)
        if self.period is not None:
            out["period"] = self.period.key
        out["lang"] = self.lang
        return out

    def replace(self, **changes) -> Filters:
        from dataclasses import replace

        return replace(self, **changes)


def sort_key(name: str) -> str:
    """'Phường Ba Đình' -> 'ba dinh': the name without its unit type, accents or case."""
    for prefix in ("Xã ", "Phường ", "Đặc khu ", "Thị trấn "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    plain = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()


def _as_code(value: str) -> int | None:
    text = str(value).strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


def parse(raw: Mapping[str, str | None], options: Options) -> tuple[Filters, list[Notice]]:
    """Valid filters from URL values (missing keys take their defaults) and notices for bad values."""
    notices: list[Notice] = []

    lang = raw.get("lang")
    if lang in (None, ""):
        lang = DEFAULT_LANG
    elif lang not in LANGS:
        notices.append(Notice("notice_bad_lang", {"value": lang}, RAW))
        lang = DEFAULT_LANG

    default_province = options.default_province
    province = default_province
    raw_province = raw.get("province")
    if raw_province not in (None, ""):
        code = _as_code(raw_province)
        if code in options.provinces:
            province = code
        else:
            notices.append(
                Notice(
                    "notice_bad_province",
                    {"value": raw_province, "fallback": options.provinces.get(default_province, "–")},
                    RAW,
                )
            )
            raw_province = None

    commune = None
    raw_commune = raw.get("commune")
    if raw_commune not in (None, ""):
        code = _as_code(raw_commune)
        if code not in options.communes:
            notices.append(Notice("notice_bad_commune", {"value": raw_commune}, RAW))
        elif options.communes[code][1] == province:
            commune = code
        elif raw_province in (None, ""):
            commune, province = code, options.communes[code][1]  # the commune tells its province
        else:
            notices.append(
                Notice(
                    "notice_commune_not_in_province",
                    {"commune": options.communes[code][0], "province": options.provinces.get(province, "–")},
                )
            )

    default_period = options.default_period
    period = default_period
    raw_period = raw.get("period")
    if raw_period not in (None, ""):
        parsed = parse_period(raw_period)
        fallback = default_period.label(lang) if default_period else "–"
        if parsed is None:
            notices.append(Notice("notice_bad_period", {"value": raw_period, "fallback": fallback}, RAW))
        elif not options.has_data(parsed):
            notices.append(
                Notice("notice_period_no_data", {"value": parsed.label(lang), "fallback": fallback})
            )
        else:
            period = parsed

    return Filters(province, commune, period, lang), notices
