"""The pages (file, label key, URL path, icon) and moving between them with the filters kept."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class PageDef:
    path: str
    label_key: str
    url_path: str
    icon: str


PAGES = [
    PageDef("views/province.py", "nav_province", "province", ":material/leaderboard:"),
    PageDef("views/national.py", "nav_national", "national", ":material/public:"),
    PageDef("views/commune.py", "nav_commune", "commune", ":material/location_city:"),
    PageDef("views/filings.py", "nav_filings", "filings", ":material/description:"),
    PageDef("views/signatures.py", "nav_signatures", "signatures", ":material/draw:"),
    PageDef("views/service_index.py", "nav_index", "service_index", ":material/insights:"),
    PageDef("views/skills.py", "nav_skills", "skills", ":material/school:"),
    PageDef("views/quality.py", "nav_quality", "quality", ":material/fact_check:"),
]
UPLOAD_PAGE = PageDef("views/upload.py", "nav_upload", "upload", ":material/upload_file:")
PAGE_BY_KEY = {p.url_path: p for p in [*PAGES, UPLOAD_PAGE]}
# The bare address's page: hidden from the menu, it only switches to the role's landing page (with
# the address's filters), so that every real page keeps its own path and a deep link such as
# /province?province=25 opens it instead of "Page not found".
HOME_PAGE = PageDef("views/home.py", "app_title", "home", ":material/home:")


def pages_for(role: str | None) -> list[PageDef]:
    """The pages a role may open: the upload page is registered for data stewards only (the page
    checks the role again itself)."""
    return [*PAGES, UPLOAD_PAGE] if role == "steward" else list(PAGES)


# The page each role lands on (a bare address, or after sign-in without a page in the address): a commune
# account its commune's profile, a national account the national view, everyone else the province
# overview.  A page named in the address is opened instead (within scope).
LANDING = {"commune": "commune", "national": "national"}


def landing_for(role: str | None) -> str:
    """The url_path of the page `role` lands on (open mode, None: the province overview)."""
    return LANDING.get(role or "", "province")


def go(url_path: str, **changes) -> None:
    """Switch to a page with the current filters, changed by `changes` (e.g. commune=8380)."""
    from ui.state import current

    filters = current().filters.replace(**changes)
    st.session_state["_filters"] = filters
    st.switch_page(PAGE_BY_KEY[url_path].path, query_params=filters.params())
