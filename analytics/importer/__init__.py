"""Import case lists (CSV or XLSX, as courts export them) into the case store.

The package is split by responsibility, so that the next export format is a small change:

- ``read``: bytes -> a table of raw cells (encoding, delimiter, every sheet that has the header,
  the header row below a title line, NUL bytes);
- ``columns``: file headers -> import targets (Chinese/English aliases, saved JSON mappings);
- ``values``, ``causes``, ``parties``: one cell -> one value (vocabularies, amounts, the standard
  cause list with suggestions, party names -> keyed pseudonyms);
- ``validate``: rows -> schema records + one bilingual report line per row;
- ``load``: records -> the store's frame, lookups of what the store already holds (causes,
  origin districts, earliest year), the columns a file does not carry; the version rule itself
  is in ``store.upsert_cases``;
- ``columnar``: the same checks column-wise for a CSV read with Arrow (``read.read_columns``),
  the row path only for the rows that need a message (identical results, tested as an oracle);
- ``pipeline``: the whole chain, ``import_file`` / ``import_into`` and their ``ImportSummary``.

``import_file`` never raises on bad input: a file that cannot be imported comes back as a refused
``ImportSummary`` with the reason. Every public name of the former single module is re-exported
here.
"""

from analytics.importer.columns import (
    FIELD_CHOICES,
    HEADER_INDEX,
    MAPPING_COLUMNS,
    MAPPING_FORMAT,
    NOT_IMPORTED,
    REQUIRED,
    TARGET_LABELS,
    TARGETS,
    check_mapping,
    guess_mapping,
    mapping_from_json,
    mapping_from_table,
    mapping_table,
    mapping_to_json,
    normalise_header,
    preview,
)
from analytics.importer.errors import ImportRefused, StoreError
from analytics.importer.load import KEPT_EN, KEPT_ZH, cases_frame, first_year, store_adcodes, store_causes
from analytics.importer.pipeline import (
    ImportSummary,
    import_file,
    import_into,
    limit_memory,
    report_bytes,
    report_table,
)
from analytics.importer.read import (
    ENCODING_LABELS,
    check_size,
    detect_encoding,
    read_table,
)
from analytics.importer.validate import (
    ACCEPTED,
    CORRECTED,
    REJECTED,
    REPORT_COLUMNS,
    STATUS_ZH,
    UNCLASSIFIED_GROUP,
    Progress,
    ValidationResult,
    validate,
)
from analytics.importer.values import LEGACY_ADCODES, MAX_AMOUNT, NANTONG_ADCODES, adcode_at, parse_amount

__all__ = [
    "ACCEPTED",
    "CORRECTED",
    "ENCODING_LABELS",
    "FIELD_CHOICES",
    "HEADER_INDEX",
    "KEPT_EN",
    "KEPT_ZH",
    "LEGACY_ADCODES",
    "MAPPING_COLUMNS",
    "MAPPING_FORMAT",
    "MAX_AMOUNT",
    "NANTONG_ADCODES",
    "NOT_IMPORTED",
    "REJECTED",
    "REPORT_COLUMNS",
    "REQUIRED",
    "STATUS_ZH",
    "TARGETS",
    "TARGET_LABELS",
    "UNCLASSIFIED_GROUP",
    "ImportRefused",
    "ImportSummary",
    "Progress",
    "StoreError",
    "ValidationResult",
    "adcode_at",
    "cases_frame",
    "check_mapping",
    "check_size",
    "detect_encoding",
    "first_year",
    "guess_mapping",
    "import_file",
    "import_into",
    "limit_memory",
    "mapping_from_json",
    "mapping_from_table",
    "mapping_table",
    "mapping_to_json",
    "normalise_header",
    "parse_amount",
    "preview",
    "read_table",
    "report_bytes",
    "report_table",
    "store_adcodes",
    "store_causes",
    "validate",
]
