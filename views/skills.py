"""Digital skills (Bình dân học vụ số): how far has the province come?  Its figures against the previous
period, the ranking of its communes, the chosen commune's trend and the training calendar."""

import streamlit as st

import ui
from ui import skills_sections

ctx = ui.current()
f, lang = ctx.filters, ctx.lang
ui.header("skills_title", "q_skills")
if ui.no_period():
    st.stop()
st.subheader(f"{ctx.options.provinces[f.province]} · {f.period.label(lang)}")
if not skills_sections.province_kpis(ctx):
    st.stop()
skills_sections.ranking(ctx)
skills_sections.commune_trend(ctx)
skills_sections.calendar(ctx)
