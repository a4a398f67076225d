"""House rules for the dbt project, checked over its manifest (dbt-project-evaluator's idea)."""

import json
import re

import pytest
import yaml

from orchestration.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
LAYERS = {"staging": r"stg_[a-z0-9]+(_[a-z0-9]+)*__[a-z0-9_]+", "intermediate": r"int_[a-z0-9_]+",
          "marts": r"(dim|fct)_[a-z0-9]+(_[a-z0-9]+)*"}
# marts: the star schema's dimensions and facts, the metric marts among them (README "The star schema",
# "The metrics"); models/marts/bi/ holds the disclosure-controlled tables of the `bi` schema, and only they
# are bi_*.
BI_MARTS = r"bi_[a-z0-9]+(_[a-z0-9]+)*"


@pytest.fixture(scope="module")
def manifest():
    if not MANIFEST.exists():
        pytest.fail(f"{MANIFEST} missing: run `edi prepare` (make test does)")
    return json.loads(MANIFEST.read_text())


def models(manifest):
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def layer(node) -> str:
    return node["original_file_path"].split("/")[1]


def naming_pattern(node) -> str | None:
    if node["original_file_path"].startswith("models/marts/bi/"):
        return BI_MARTS
    return LAYERS.get(layer(node))


def naming_violations(nodes) -> list[str]:
    return [n["original_file_path"] for n in nodes
            if naming_pattern(n) is None or not re.fullmatch(naming_pattern(n), n["name"])]


def test_models_sit_in_a_known_layer_and_follow_its_naming(manifest):
    assert naming_violations(models(manifest)) == []


def test_the_naming_rule_rejects_a_misnamed_model():
    def model(path):
        return {"name": path.rsplit("/", 1)[1].removesuffix(".sql"), "original_file_path": path}

    misnamed = [model("models/marts/core/staff_summary.sql"), model("models/marts/core/bi_staff.sql"),
                model("models/marts/bi/fct_staff.sql"), model("models/intermediate/staff_joined.sql"),
                model("models/staging/esr/stg_esr_assignment.sql"), model("models/reporting/fct_staff.sql")]
    assert naming_violations(misnamed) == [m["original_file_path"] for m in misnamed]
    well_named = [model("models/marts/core/dim_staff.sql"), model("models/marts/workforce/fct_pay_gap.sql"),
                  model("models/marts/bi/bi_wres.sql"), model("models/intermediate/int_staff_joined.sql")]
    assert naming_violations(well_named) == []


def test_staging_models_live_in_their_source_system_folder(manifest):
    for node in models(manifest):
        if layer(node) == "staging":
            system = node["name"][len("stg_"):].split("__")[0]
            assert node["original_file_path"] == f"models/staging/{system}/{node['name']}.sql"


def test_only_staging_calls_source_and_staging_reads_only_sources(manifest):
    for node in models(manifest):
        parents = node["depends_on"]["nodes"]
        if layer(node) == "staging":
            assert parents and all(p.startswith("source.") for p in parents), node["name"]
        else:
            assert not any(p.startswith("source.") for p in parents), node["name"]


def test_every_model_has_a_yaml_with_grain_and_documented_columns(manifest):
    for node in models(manifest):
        assert node["patch_path"], f"{node['name']} has no YAML"
        assert node["patch_path"].endswith(f"{node['name']}.yml"), f"{node['name']}: one YAML per model"
        assert "grain" in node["description"].lower(), f"{node['name']}: description must state the grain"
        undocumented = [c for c, v in node["columns"].items() if not v.get("description")]
        assert not undocumented, f"{node['name']}: undocumented columns {undocumented}"


def columns_checked_by(test) -> list[str | None]:
    """The columns a generic test checks: its own column, or each one a not_null_columns test lists."""
    if test.get("test_metadata", {}).get("name") == "not_null_columns":
        return test["test_metadata"]["kwargs"]["columns"]
    return [test.get("column_name")]


def test_every_model_has_a_primary_key_test(manifest):
    tests_by_model = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            name = node.get("test_metadata", {}).get("name")
            name = "not_null" if name == "not_null_columns" else name
            tests_by_model.setdefault(node["attached_node"], []).extend((name, c) for c in columns_checked_by(node))
    for node in models(manifest):
        if node["config"]["materialized"] == "ephemeral":
            continue  # a CTE inlined into its consumers, not a relation dbt can test: they guard its grain
        tests = tests_by_model.get(node["unique_id"], [])
        unique_columns = {c for name, c in tests if name == "unique"}
        not_null_columns = {c for name, c in tests if name == "not_null"}
        assert (unique_columns & not_null_columns) or any(n == "unique_combination" for n, _ in tests), (
            f"{node['name']} has no primary-key test")


def test_a_models_not_null_tests_are_one_query(manifest):
    """One dbt node per column cost more than the query (≈ 0.05 s each on 2 cores; on a view each one
    computed the view again): a model's required columns go in its one `not_null_columns` test. A
    `not_null` with a `where` keeps its own node, since the condition applies to the whole test."""
    per_column = sorted(f"{t['attached_node'].split('.')[-1]}.{t['column_name']}" for t in manifest["nodes"].values()
                        if t["resource_type"] == "test" and t.get("test_metadata", {}).get("name") == "not_null"
                        and not t["config"].get("where"))
    assert not per_column, f"list these in the model's not_null_columns test: {per_column}"
    combined = {}
    for t in manifest["nodes"].values():
        if t["resource_type"] == "test" and t.get("test_metadata", {}).get("name") == "not_null_columns":
            combined[t["attached_node"]] = combined.get(t["attached_node"], 0) + 1
    assert all(n == 1 for n in combined.values()), {k: n for k, n in combined.items() if n > 1}


def test_every_source_is_staged_exactly_once(manifest):
    staged = {}
    for node in models(manifest):
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith("source."):
                staged.setdefault(parent, []).append(node["name"])
    assert set(staged) == set(manifest["sources"]), "every contract source needs a staging model"
    assert all(len(v) == 1 for v in staged.values()), staged


# --- Settings (dbt vars): documented, read, and validated ---------------------------------------------
SETTINGS_MACRO = DBT_PROJECT_DIR / "macros" / "settings.sql"
ENUMERATED = {"wres_ind3_window_method", "rep_denominator_includes_unknown", "events_window",
              "pay_bonus_recipients_only", "pay_quartile_remainder", "spc_screen_outliers", "sdc_derive_from_rounded",
              "pay_age_band_reference", "pay_religion_reference", "pay_sexual_orientation_reference",
              "pay_sex_ethnicity_reference", "pay_sex_disability_reference"}


def project_vars() -> dict:
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def project_sql() -> dict:
    return {p: p.read_text() for folder in ("models", "macros", "tests") for p in (DBT_PROJECT_DIR / folder).rglob("*.sql")}


def reads(name: str, reader: str = r"var|edi_setting") -> re.Pattern:
    return re.compile(rf"\b(?:{reader})\(\s*['\"]{name}['\"]")


def test_every_var_in_dbt_project_yml_is_read_by_the_project():
    sql = "\n".join(project_sql().values())
    unread = [name for name in project_vars() if not reads(name).search(sql)]
    assert not unread, f"documented settings no model reads: {unread}"


def test_vars_with_a_fixed_set_of_values_are_validated_where_they_are_read():
    # the entries of edi_setting_choices(): a list of values, or the groups of a pay characteristic
    choices = set(re.findall(r"^\s*'([a-z0-9_]+)'\s*:\s*(?:\[|pay_reference_choices\()", SETTINGS_MACRO.read_text(), re.M))
    assert choices == ENUMERATED
    assert choices <= set(project_vars())
    for path, text in project_sql().items():
        if path != SETTINGS_MACRO:
            raw = [name for name in choices if reads(name, "var").search(text)]
            assert not raw, f"{path.name} reads {raw} with var(): use edi_setting() so the value is validated"


def test_readme_documents_every_var():
    readme = (DBT_PROJECT_DIR.parent / "README.md").read_text()
    missing = [name for name in project_vars() if f"`{name}`" not in readme]
    assert not missing, f"README settings table lacks {missing}"
