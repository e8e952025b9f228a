"""Special topics (专题): a case selection, sections, risk and text rules, recommendations, from one TOML file each.

- ``config``: the file format, its validation (``TopicError`` names the field) and loading;
- ``select``: a selection as SQL over ``cases``, joined with the shared page filter;
- ``sections``: the case sections' figures (trend, share, districts, mix, roles, amounts, ...);
- ``risks``: risk rules evaluated on year-on-year windows and ranked;
- ``records``: judgment-record sections (provinces, sentences, text findings);
- ``text``: the keyword/regex rules and their precision/recall on labelled snippets.
"""
