"""会议模式: the slides for a projector (map with year playback, indicators, alerts, index)."""

import streamlit as st

from ui import meeting
from ui.shell import setup_page

ctx = setup_page("会议模式", filters=False)
meeting.chrome()
slides = meeting.slides()
index = meeting.url_int("s", 0, 0, len(slides) - 1)
label, draw = slides[index]
place = "南通法院" + ("（合成演示数据）" if ctx.synthetic else "")
st.title(f"{place} · {label}")
meeting.stepper(index, len(slides), [s[0] for s in slides])
draw(ctx, 450)  # CSS then fits the map to the screen height (1280x720 to 1920x1080)
