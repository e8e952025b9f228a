"""专题研究: special topics (建筑企业诉讼风险, 长江禁渔 …), each declared in one TOML file under topics/."""

import streamlit as st

from analytics.topics.config import load_topics
from analytics.topics.sections import store_warnings
from ui import topic_sections
from ui.shell import setup_page, synthetic_banner, url_choice

ctx = setup_page("专题研究")
topics, errors = load_topics()
for err in errors:  # a broken topic file does not take the others down
    st.error(f"专题配置有误，已跳过：{err}")
if not topics:
    st.info("没有可用的专题配置（topics/*.toml）。 / No topic configuration found (topics/*.toml).")
    st.stop()

with st.sidebar:
    st.subheader("专题 / Topic")
    chosen = url_choice("选择专题", {t.id: t.title for t in topics}, "topic", "tp_topic", horizontal=False)
topic = next(t for t in topics if t.id == chosen)

st.title(f"专题研究 · {topic.title}")
synthetic_banner(ctx)
if topic.summary:
    st.markdown(topic.summary.strip())
missing = ctx.run(store_warnings, topic)
if missing:
    with st.expander(f"⚠️ 配置检查：{len(missing)} 项配置值不在当前案件库中（不影响其余统计）"):
        for w in missing:
            st.warning(w)
view = topic_sections.choose_view(ctx, topic)
st.caption(f"专题案件 = 专题配置的案件范围，再叠加侧栏筛选；范围：{view.focus_name if view.flt.district else '全市'}，"
           f"{topic_sections.year_label(ctx.flt)}（趋势图另注）。")
topic_sections.render(ctx, topic, view)
