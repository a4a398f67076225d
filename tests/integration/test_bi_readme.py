"""What README's "Connecting BI tools" promises, checked on the BI extract of a real refresh: the list of
tables is the extract's, every code example runs, and every Parquet column carries its dbt description."""

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from orchestration.publish.bi_extract import (
    PARQUET_DESCRIPTION_KEY,
    PROVENANCE_COLUMNS,
    PROVENANCE_COMMENT,
    PROVENANCE_TABLE,
    bi_file_path,
    parquet_dir,
)
from orchestration.transform import dbt_project

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION_HEADING = "## Connecting BI tools"
LIST_ITEM = re.compile(r"^- (`bi_[^:]*):", re.MULTILINE)  # "- `bi_x`, `bi_y`: what they hold"
TABLE_NAME = re.compile(r"`(bi_[a-z0-9_]+)`")
FENCED_BLOCK = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
EXAMPLE_TIMEOUT_S = 120


def bi_section() -> str:
    text = README.read_text()
    start = text.index(SECTION_HEADING)
    end = text.find("\n## ", start + len(SECTION_HEADING))
    return text[start:end if end > 0 else None]


def readme_tables() -> list[str]:
    """The tables named at the head of the section's list items, before the colon."""
    return [name for head in LIST_ITEM.findall(bi_section()) for name in TABLE_NAME.findall(head)]


def extract_tables(warehouse: Path) -> set[str]:
    with duckdb.connect(str(bi_file_path(warehouse)), read_only=True) as con:
        return {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}


def dbt_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """bi_* model -> (its description, {column: description}) as the dbt YAML documents them."""
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    return {node["name"]: (node["description"], {c: col["description"] for c, col in node["columns"].items()})
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["name"].startswith("bi_")}


def test_the_readme_lists_exactly_the_tables_of_the_bi_extract(demo_refresh):
    listed = readme_tables()
    assert len(listed) == len(set(listed)), "a table is listed twice"
    assert set(listed) == extract_tables(demo_refresh.warehouse)


def test_every_code_example_of_the_bi_section_runs_against_a_built_extract(demo_refresh):
    """Run from the folder holding `warehouse/`, as a user runs them from the project folder."""
    blocks = FENCED_BLOCK.findall(bi_section())
    assert blocks, "the BI section has no code example"
    assert [language for language, _ in blocks] == ["python"] * len(blocks)
    for _, code in blocks:
        run = subprocess.run([sys.executable, "-c", code], cwd=demo_refresh.warehouse.parent,
                             capture_output=True, text=True, timeout=EXAMPLE_TIMEOUT_S)
        assert run.returncode == 0, f"{code}\n{run.stderr}"
        assert run.stdout.strip(), code


def test_every_parquet_column_carries_the_description_of_the_dbt_yaml(demo_refresh):
    documented = {**dbt_descriptions(), PROVENANCE_TABLE: (PROVENANCE_COMMENT, PROVENANCE_COLUMNS)}
    files = sorted(parquet_dir(demo_refresh.warehouse).glob("*.parquet"))
    assert {f.stem for f in files} == extract_tables(demo_refresh.warehouse)
    wrong = []
    for path in files:
        schema = pq.read_schema(path)
        table_description, column_descriptions = documented[path.stem]
        found = (schema.metadata or {}).get(PARQUET_DESCRIPTION_KEY, b"").decode()
        if not table_description.strip() or found != table_description:
            wrong.append(f"{path.stem}: {found!r}")
        assert schema.names == list(column_descriptions), path.stem  # every column documented, in order
        for field in schema:
            found = (field.metadata or {}).get(PARQUET_DESCRIPTION_KEY, b"").decode()
            if not column_descriptions[field.name].strip() or found != column_descriptions[field.name]:
                wrong.append(f"{path.stem}.{field.name}: {found!r}")
    assert wrong == []
