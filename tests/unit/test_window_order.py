"""Every window in the dbt project orders its rows completely (docs/portable-sql.md rule 10).

A window whose ORDER BY leaves ties lets the engine break them by row position, which changes between
identical runs; an order term without NULLS FIRST/LAST sorts differently on DuckDB and Spark. Scanned
as written (models and macros), with the `{% set x = '...' %}` strings a file splices into its windows
filled in and other Jinja replaced by a placeholder. What the scan checks: each window function that
depends on row order has an ORDER BY, and every term of every window ORDER BY names its direction and
where nulls go. Whether the terms are unique within the partition the scan cannot see: say why in a
comment beside the window; the refresh-twice tests (tests/integration/test_determinism.py) catch a tie
that slips through.
"""

import re
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR

ORDER_DEPENDENT = re.compile(
    r"(row_number|rank|dense_rank|ntile|percent_rank|cume_dist|lag|lead|first_value|last_value|nth_value)"
    r"\s*\(")
COMMENT = re.compile(r"--[^\n]*|{#.*?#}", re.S)
SET_STRING = re.compile(r"{%-?\s*set\s+(\w+)\s*=\s*'([^']*)'\s*-?%}")
JINJA_EXPRESSION = re.compile(r"{{.*?}}", re.S)
JINJA_TAG = re.compile(r"{%.*?%}", re.S)
FRAME = re.compile(r"\b(rows|range|groups)\s+(between|unbounded|current|\d)")
COMPLETE_TERM = re.compile(r"\b(asc|desc)\s+nulls\s+(first|last)\s*$")


def flattened_sql(text: str) -> str:
    """The SQL of a model or macro file with comments gone and Jinja resolved as far as the windows need."""
    text = COMMENT.sub("", text)
    strings = dict(SET_STRING.findall(text))
    for _ in range(3):  # a set string may itself use another one
        text = re.sub(r"{{-?\s*(\w+)\s*-?}}", lambda m: strings.get(m.group(1), m.group(0)), text)
    text = JINJA_EXPRESSION.sub(" x ", text)
    return JINJA_TAG.sub(" ", text).lower()


def balanced(text: str, start: int) -> str:
    """The text inside the parenthesis that opens at `start`."""
    depth = 0
    for i in range(start, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1:i]
    return text[start + 1:]


def window_function(text: str, over_at: int) -> str:
    """The name of the function whose call ends just before the `over` at `over_at`."""
    i = len(text[:over_at].rstrip()) - 1
    depth = 0
    while i >= 0:
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            break
        i -= 1
    name = re.search(r"(\w+)\s*$", text[:i])
    return name.group(1) if name else ""


def top_level_split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return parts + [current]


def window_problems(sql: str) -> list[str]:
    problems = []
    for match in re.finditer(r"\bover\s*\(", sql):
        spec = " ".join(balanced(sql, match.end() - 1).split())
        if " order by " not in f" {spec} ":
            function = window_function(sql, match.start())
            if ORDER_DEPENDENT.fullmatch(function + "("):
                problems.append(f"{function}() over ({spec}) has no order by")
            continue
        order = re.split(r"\border by\b", spec, maxsplit=1)[1]
        order = FRAME.split(order)[0]
        for term in top_level_split(order):
            if not COMPLETE_TERM.search(term.strip()):
                problems.append(f"over ({spec}): '{term.strip()}' needs asc/desc and nulls first/last")
    return problems


def project_sql_files():
    return sorted(p for folder in ("models", "macros") for p in (DBT_PROJECT_DIR / folder).rglob("*.sql"))


@pytest.mark.parametrize("path", project_sql_files(), ids=lambda p: str(p.relative_to(DBT_PROJECT_DIR)))
def test_every_window_order_is_complete(path: Path):
    problems = window_problems(flattened_sql(path.read_text(encoding="utf-8")))
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_the_scan_finds_incomplete_windows_and_accepts_complete_ones():
    sql = flattened_sql("""
        {%- set by_seq = 'order by point_seq asc nulls last' -%}
        select
            row_number() over (partition by a order by b desc nulls last, c asc nulls first) as ok_1,
            lag(v) over (partition by {{ keys }} {{ by_seq }}) as ok_2,
            sum(v) over (partition by a order by b asc nulls last rows between unbounded preceding and current row) as ok_3,
            count(*) over (partition by a) as ok_4,
            row_number() over (partition by a order by b desc) as no_nulls,
            rank() over (partition by a order by case when x then 0 else 1 end, c asc nulls last) as no_direction,
            lead(v) over (partition by a) as unordered
        from t
    """)
    problems = window_problems(sql)
    assert len(problems) == 3, problems
    assert "'b desc'" in problems[0] and "case when x then 0 else 1 end" in problems[1]
    assert problems[2].startswith("lead() over (partition by a) has no order by")
