"""Entry point: navigation over the pages, the global filters in the sidebar (kept in the URL), the
data-as-of stamp and the demo banner on every page.  Pages live in views/ (a folder named pages/ would switch Streamlit to its legacy multipage mode and bypass this navigation); numbers come from metrics/."""

import streamlit as st

from metrics import db, warehouse
from metrics.i18n import t
from ui import cache, format, state
from ui.nav import HOME_PAGE, pages_for

st.set_page_config(page_title="CĐS cấp xã", page_icon=":material/insights:", layout="wide")

try:
    ctx = state.init()
except db.WarehouseMissing:
    lang = st.query_params.get("lang", "vi")
    st.title(t("app_title", lang if lang in ("vi", "en") else "vi"))
    st.warning(t("no_warehouse", lang if lang in ("vi", "en") else "vi"))
    st.stop()
except db.WarehouseDamaged:  # unreadable file: say so, without details
    lang = st.query_params.get("lang", "vi")
    lang = lang if lang in ("vi", "en") else "vi"
    st.title(t("app_title", lang))
    st.error(t("warehouse_damaged", lang))
    st.stop()
except db.WarehouseOutdated as outdated:  # built by an older ETL: say how to update it
    lang = st.query_params.get("lang", "vi")
    lang = lang if lang in ("vi", "en") else "vi"
    st.title(t("app_title", lang))
    st.error(outdated.message(lang))
    st.stop()
lang = ctx.lang

pages = [
    st.Page(HOME_PAGE.path, title=t(HOME_PAGE.label_key, lang), default=True, visibility="hidden"),
    *(
        st.Page(p.path, title=t(p.label_key, lang), url_path=p.url_path, icon=p.icon)
        for p in pages_for(ctx.role)
    ),
]
page = st.navigation(pages, position="sidebar")

for notice in ctx.notices:
    st.warning(notice.text(lang), icon=":material/link_off:")  # URL values shown literally
if cache.data(warehouse.is_demo):
    # a compact badge, not a banner: on a phone two banners filled the first screen
    st.badge(t("demo_banner", lang), icon=":material/science:", color="orange")
as_of = cache.data(warehouse.data_as_of, ctx.scope)
stamp = " · ".join(
    f"{t('source_' + r.source, lang)} {format.as_of(r.last_month, lang)}" for r in as_of.itertuples()
)
st.caption(f"{t('data_as_of', lang)}: {stamp}")

page.run()
