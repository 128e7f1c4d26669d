"""The app shell's state: filters from the URL (validated, remembered across page switches), the
sidebar widgets that change them, notices for unusable URL values."""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from core.periods import parse_period
from metrics import db, periodic
from metrics.calendar import PERIOD_TYPES, available_periods, convert
from metrics.i18n import LANGS, t
from metrics.scope import Scope
from ui import auth
from ui.cache import data
from ui.filters import KEYS, Filters, Notice, Options, parse

MAX_PARAM_CHARS = 64  # longer URL values are cut before parsing (they are never valid anyway)

LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}


@dataclass
class Context:
    filters: Filters
    options: Options
    scope: Scope
    notices: list[Notice] = field(default_factory=list)
    user: auth.Session | None = None

    @property
    def lang(self) -> str:
        return self.filters.lang

    @property
    def role(self) -> str | None:
        """The signed-in user's role; None in open mode."""
        return self.user.role if self.user else None


def load_options(scope_: Scope) -> Options:
    """The places and months a scope may choose, built once per scope and warehouse version and
    shared by every session of the process (read-only: nothing changes an Options).  Built for every
    rerun, the 3,321 communes' dictionary and the cached frames it comes from took 7 % of the Python
    time of a page under ten concurrent sessions (bench/bench_concurrency.py)."""
    return _shared_options(scope_, str(db.db_path()), db.version())


@st.cache_resource(max_entries=64, show_spinner=False)
def _shared_options(scope_: Scope, path: str, version: tuple) -> Options:
    places = data(periodic.places, scope_)
    first, last = data(periodic.month_range, scope_)
    provinces = dict(zip(places["province_code"].astype(int), places["province_name"], strict=True))
    communes = {
        int(c): (n, int(p))
        for c, n, p in zip(
            places["commune_code"], places["commune_name"], places["province_code"], strict=True
        )
    }
    return Options(provinces, communes, first, last)


def _raw_params() -> dict[str, str | None]:
    qp = st.query_params
    raw = {k: (v[:MAX_PARAM_CHARS] if isinstance(v, str) else v) for k, v in ((k, qp.get(k)) for k in KEYS)}
    remembered: Filters | None = st.session_state.get("_filters")
    if remembered is not None and all(v is None for v in raw.values()):
        # A page switch from the menu drops the query string: keep the filters of the last view.
        return dict(remembered.params())
    return raw


def _lang_hint() -> str:
    lang = st.query_params.get("lang")
    if lang in LANGS:
        return lang
    remembered: Filters | None = st.session_state.get("_filters")
    return remembered.lang if remembered else "vi"


def _as_code(value) -> int | None:
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and len(text) <= 9 else None


def outside_scope(raw: dict, options: Options) -> bool:
    """Does the URL name a province or commune (a well-formed code) that the scope may not see?
    Options hold only the places in scope, so any code not among them is refused; malformed values
    are left to `parse`, which falls back to the defaults with a notice."""
    province, commune = _as_code(raw.get("province")), _as_code(raw.get("commune"))
    return (province is not None and province not in options.provinces) or (
        commune is not None and commune not in options.communes
    )


def _refuse(lang: str) -> None:
    """The URL asks for a place outside the user's scope: say so, show nothing else."""
    st.error(t("refused_scope", lang), icon=":material/block:")
    if st.button(t("back_to_scope", lang), key="back_to_scope"):
        st.session_state.pop("_filters", None)
        st.query_params.clear()
        st.rerun()
    st.stop()


def init() -> Context:
    """Sign in (secured mode), read and validate the filters within the user's scope, write their
    canonical form back to the URL, draw the sidebar."""
    lang = _lang_hint()
    user = auth.require(lang)
    try:
        scope_ = auth.scope_of(user)
    except ValueError:
        _refuse(lang)
    options = load_options(scope_)
    raw = _raw_params()
    if not scope_.is_national and outside_scope(raw, options):
        auth.sidebar(user, lang)
        _refuse(lang)
    filters, notices = parse(raw, options)
    if scope_.level == "commune" and filters.commune is None:
        # a commune account's one commune is always the selected one (its profile names it)
        filters = filters.replace(province=scope_.province_code, commune=scope_.commune_code)
    if notices:
        st.session_state["_notices"] = notices
    st.session_state["_filters"] = filters
    if dict(st.query_params) != filters.params():
        st.query_params.from_dict(filters.params())
    ctx = Context(filters, options, scope_, list(st.session_state.get("_notices", [])), user)
    st.session_state["_ctx"] = ctx
    _sidebar(ctx)
    auth.sidebar(user, ctx.lang)
    return ctx


def current() -> Context:
    return st.session_state["_ctx"]


def _set(key: str, value) -> None:
    if st.session_state.get(key) != value:
        st.session_state[key] = value


def _sidebar(ctx: Context) -> None:
    f, o, lang = ctx.filters, ctx.options, ctx.lang
    _set("w_lang", f.lang)
    _set("w_province", f.province)
    _set("w_commune", f.commune)
    _set("w_ptype", f.period_type)
    _set("w_period", f.period.key if f.period else None)
    periods = available_periods(o.first_month, o.last_month, f.period_type)
    with st.sidebar:
        st.radio(
            t("language", lang),
            LANGS,
            key="w_lang",
            format_func=LANG_NAMES.get,
            horizontal=True,
            on_change=_changed,
        )
        st.selectbox(
            t("filter_province", lang),
            list(o.provinces),
            key="w_province",
            format_func=lambda c: o.provinces.get(c, str(c)),
            on_change=_changed,
        )
        st.selectbox(
            t("filter_commune", lang),
            [None, *o.communes_of(f.province)],
            key="w_commune",
            format_func=lambda c: t("filter_all_communes", lang) if c is None else o.communes[c][0],
            on_change=_changed,
        )
        st.segmented_control(
            t("filter_period_type", lang),
            PERIOD_TYPES,
            key="w_ptype",
            required=True,
            format_func=lambda p: t("period_type_" + p, lang),
            on_change=_changed,
        )
        st.selectbox(
            t("filter_period", lang),
            [p.key for p in periods] or [None],
            key="w_period",
            format_func=lambda k: parse_period(k).label(lang) if k else "–",
            on_change=_changed,
        )
        st.caption(t("share_hint", lang))


def _changed() -> None:
    """A sidebar widget changed: compute the new filters and put them in the URL."""
    ss = st.session_state
    ctx: Context = ss["_ctx"]
    old, o = ctx.filters, ctx.options
    province = ss.get("w_province") or old.province
    commune = ss.get("w_commune") if province == old.province else None
    ptype = ss.get("w_ptype") or old.period_type
    period = old.period
    if period is not None and ptype != old.period_type:
        period = convert(period, ptype, o.first_month, o.last_month)
    elif ss.get("w_period"):
        period = parse_period(ss["w_period"]) or old.period
    new = Filters(province, commune, period, ss.get("w_lang") or old.lang)
    ss["_filters"] = new
    ss["_notices"] = []
    st.query_params.from_dict(new.params())
