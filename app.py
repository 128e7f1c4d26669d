"""Entry page: what the warehouse holds and how fresh it is (the full dashboard comes with its issue)."""

import streamlit as st

from metrics import db, warehouse
from metrics.i18n import LANGS, fmt_month, fmt_number, t

st.set_page_config(page_title="CĐS cấp xã", layout="wide")
lang = st.query_params.get("lang", "vi")
lang = lang if lang in LANGS else "vi"
lang = st.sidebar.radio(t("language", lang), LANGS, index=LANGS.index(lang),
                        format_func=lambda code: {"vi": "Tiếng Việt", "en": "English"}[code], horizontal=True)
st.query_params["lang"] = lang

st.title(t("app_title", lang))
st.caption(t("app_subtitle", lang))
try:
    demo = warehouse.is_demo()
    coverage = warehouse.coverage()
    as_of = warehouse.data_as_of()
except db.WarehouseMissing:
    st.warning(t("no_warehouse", lang))
    st.stop()

if demo:
    st.info(t("demo_banner", lang))
stamp = ", ".join(f"{t('source_' + r.source, lang)} {fmt_month(r.last_month, lang)}" for r in as_of.itertuples())
st.caption(f"{t('data_as_of', lang)}: {stamp}")

st.subheader(t("coverage", lang))
table = coverage.assign(
    source=coverage["source"].map(lambda s: t("source_" + s, lang)),
    row_count=coverage["row_count"].map(lambda n: fmt_number(n, lang)),
    first_month=coverage["first_month"].map(lambda d: fmt_month(d, lang)),
    last_month=coverage["last_month"].map(lambda d: fmt_month(d, lang)),
).rename(columns={"source": t("source", lang), "row_count": t("rows", lang),
                  "communes": t("communes_with_data", lang), "communes_in_scope": t("communes_in_scope", lang),
                  "first_month": t("first_month", lang), "last_month": t("last_month", lang)})
st.dataframe(table, hide_index=True)
