"""经济社会运行评估: 15 indices in 4 dimensions per district and year, from court cases.

Modules: ``config`` (config/indices.toml), ``rates`` (counts, empirical Bayes shrinkage, exact
intervals), ``normalise`` (goalposts, log rule, 0-100), ``weights`` (equal, entropy),
``aggregate`` (arithmetic within, geometric across dimensions), ``montecarlo`` (rank bands),
``assess`` (the pipeline the page calls). Method: OECD/JRC Handbook on Constructing Composite
Indicators (2008). Pure Python over DuckDB/pandas; no Streamlit.
"""
