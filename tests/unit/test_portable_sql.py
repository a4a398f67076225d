"""The dbt SQL keeps to docs/portable-sql.md, so the project can move to Spark.

Scanned as written, not compiled: dbt's cross-database macros (dbt.datediff, dbt.dateadd, …) compile
to engine-specific spellings on purpose, and engine-specific code belongs in dispatched macros
(`duckdb__…` / `spark__…`), whose bodies are skipped here, as are Jinja tags and comments.
"""

import re
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR

NOT_PORTABLE = {
    "::": r"::",
    "date_diff": r"\bdate_diff\s*\(",
    "strftime": r"\bstrftime\s*\(",
    "epoch": r"\bepoch\s*\(",
    "list_*": r"\blist_[a-z_]+\s*\(",
    "string_split": r"\bstring_split\s*\(",
    "regexp_matches": r"\bregexp_matches\s*\(",
    "json_extract_string": r"\bjson_extract_string\s*\(",
    "->>": r"->>",
    "arg_max": r"\barg_(max|min)\s*\(",
    "generate_series": r"\bgenerate_series\s*\(",
    "unnest": r"\bunnest\s*\(",
    "integer division //": r"(?<!:)//",
    "datediff": r"\bdatediff\s*\(",
    "date_format": r"\bdate_format\s*\(",
    "unix_timestamp": r"\bunix_timestamp\s*\(",
    "explode": r"\bexplode\s*\(",
    "sequence": r"\bsequence\s*\(",
    "nvl": r"\bnvl2?\s*\(",
    "rlike": r"\brlike\b",
    "named_struct": r"\bnamed_struct\s*\(",
    "pivot": r"\b(un)?pivot\b",
    "distinct on": r"\bdistinct\s+on\b",
    "select * exclude": r"\*\s*exclude\b",
    "hugeint / timestamptz / text type": r"\bas\s+(hugeint|timestamptz|text|json)\b",
    "varchar without length": r"\bvarchar\b(?!\s*\()",
    "count(distinct a, b)": r"count\s*\(\s*distinct\s+[^()]*,",
    "backslash in SQL": r"\\",
}
DISPATCHED_MACRO = re.compile(r"{%-?\s*macro\s+(duckdb|spark|postgres)__.*?{%-?\s*endmacro\s*-?%}", re.S)
COMMENT = re.compile(r"--[^\n]*|{#.*?#}", re.S)
JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.S)  # macro calls (dbt.datediff, …) and control flow


def sql_files():
    folders = ("models", "macros", "tests")
    return sorted(p for folder in folders for p in (DBT_PROJECT_DIR / folder).rglob("*.sql"))


@pytest.mark.parametrize("path", sql_files(), ids=lambda p: str(p.relative_to(DBT_PROJECT_DIR)))
def test_sql_uses_only_portable_spellings(path: Path):
    text = path.read_text(encoding="utf-8")
    text = JINJA.sub(" ", COMMENT.sub("", DISPATCHED_MACRO.sub("", text))).lower()
    found = [name for name, pattern in NOT_PORTABLE.items() if re.search(pattern, text)]
    assert not found, f"{path.name}: not portable: {found} (see docs/portable-sql.md)"


def test_the_scan_catches_a_non_portable_model():
    text = "select a::int, list_sum(b), nvl(c, 0) from x"
    assert {n for n, p in NOT_PORTABLE.items() if re.search(p, text)} == {"::", "list_*", "nvl"}
