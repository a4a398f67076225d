"""Every singular dbt test runs as a Dagster asset check, never as a stray observation.

dagster-dbt makes a singular test with several parents an asset check only when its
`meta.dagster.ref` names one of those parents; otherwise dbt still runs it (indirect selection) and
dagster-dbt logs a multi-line "indirect selection" warning on every refresh and records a mere
observation, so a failure of the test is no check result in the run history.
"""

import json

from orchestration.settings import DBT_PROJECT_DIR


def test_every_singular_test_with_several_parents_names_one_of_them_as_its_asset():
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    stray = []
    for test in manifest["nodes"].values():
        if test["resource_type"] != "test" or test.get("attached_node"):
            continue
        parents = test["depends_on"]["nodes"]
        if len(parents) < 2:
            continue
        ref = (test["config"].get("meta") or {}).get("dagster", {}).get("ref", {}).get("name")
        if ref not in {parent.split(".")[-1] for parent in parents}:
            stray.append(f"{test['original_file_path']} (ref {ref})")
    assert not stray, "singular tests whose meta.dagster.ref is not one of their parents: " + ", ".join(stray)
