"""Reading the map page's headline figures in AppTest (``ui.widgets.figures``: no st.metric)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def headline(at: AppTest) -> dict[str, str]:
    """Label -> value of the headline figures, in page order: each value is a heading, its label
    the caption just before it (a caption after the value is its note, not a label)."""
    out: dict[str, str] = {}
    label: str | None = None
    for node in at.main:
        kind = getattr(node, "type", None)
        if kind == "caption":
            label = node.value
        elif kind == "header" and label is not None:
            out[label] = node.value
            label = None
    return out
