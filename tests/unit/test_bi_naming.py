"""One name per concept across the BI tables, read from the dbt YAML of the bi_* models.

The convention (README, "Connecting BI tools"): an entity's identifier is `<entity>_code` (or _id, _key),
its proper name `<entity>_name`, the display text of a coded value `<entity>_label`, and a dimension's
display order `sort_order`; a trust is an organisation (`organisation_code`, `organisation_name`).
So a BI user who learns a name in one table finds the same thing under the same name in every other.
"""

from pathlib import Path

import pytest
import yaml

BI_MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts" / "bi"
# What may stand beside a name or label column to say which entity it names: `<entity>_<suffix>`.
IDENTIFIER_SUFFIXES = ("code", "ods_code", "id", "key", "end", "group")
# Names a BI table must not use, with the one the convention gives the concept instead.
SYNONYMS = {
    "trust_code": "organisation_code", "ods_code": "organisation_code", "org_code": "organisation_code",
    "trust_name": "organisation_name", "trust_display_name": "organisation_name", "display_name": "<entity>_name",
    "bi_label": "measure_label", "measure_name": "measure_label", "label": "<entity>_label",
    "band_sort_order": "sort_order", "display_order": "sort_order",
}


def bi_columns() -> dict[str, list[str]]:
    """Every bi_* model's columns, as its YAML documents (and its enforced contract builds) them."""
    tables = {}
    for path in sorted(BI_MODELS.glob("bi_*.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            tables[model["name"]] = [column["name"] for column in model["columns"]]
    return tables


def names_an_entity_beside_it(column: str, columns: list[str]) -> bool:
    """`icb_name` beside `icb_ods_code`, `fy_label` beside `fy_end`: some leading words of the column
    name an entity that the same table identifies."""
    words = column.split("_")[:-1]
    return any(f"{'_'.join(words[:n])}_{suffix}" in columns
               for n in range(1, len(words) + 1) for suffix in IDENTIFIER_SUFFIXES)


def test_the_bi_models_are_found():
    tables = bi_columns()
    assert {"bi_edi_measure", "bi_dim_organisation", "bi_measure_catalogue"} <= set(tables)
    assert all(tables.values())


def test_no_bi_column_uses_a_synonym_of_a_conventional_name():
    found = [f"{table}.{column} (call it {SYNONYMS[column]})" for table, columns in bi_columns().items()
             for column in columns if column in SYNONYMS]
    assert found == []


def test_display_order_is_always_sort_order():
    found = [f"{table}.{column}" for table, columns in bi_columns().items()
             for column in columns if column.endswith("_sort_order")]
    assert found == []


def test_every_name_and_label_column_is_named_after_an_entity_its_table_identifies():
    found = [f"{table}.{column}" for table, columns in bi_columns().items() for column in columns
             if column.endswith(("_name", "_label")) and not names_an_entity_beside_it(column, columns)]
    assert found == []


@pytest.mark.parametrize("column, columns, expected", [
    ("measure_label", ["measure_id", "measure_label"], True),
    ("organisation_ods_name", ["organisation_code", "organisation_ods_name"], True),
    ("fy_label", ["fy_end", "fy_label"], True),
    ("bi_label", ["measure_id", "bi_label"], False),
    ("trust_name", ["organisation_code", "trust_type", "trust_name"], False),
    ("trust_display_name", ["organisation_code", "trust_display_name"], False),
])
def test_the_entity_rule_itself(column, columns, expected):
    assert names_an_entity_beside_it(column, columns) is expected


def test_a_column_name_means_one_type_in_every_bi_table():
    """The same name in two tables is the same concept, so it has the same data type."""
    types: dict[str, set[str]] = {}
    for path in sorted(BI_MODELS.glob("bi_*.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            for column in model["columns"]:
                types.setdefault(column["name"], set()).add(column["data_type"])
    assert {name: sorted(found) for name, found in types.items() if len(found) > 1} == {}
