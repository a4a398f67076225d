"""The Dagster UI tells a published asset from a candidate one: every materialisation says it was
written to the run's candidate warehouse, the publish step records which content version it
published from which run, and every asset the run built is then observed as published in it."""

from dagster import DagsterEventType

from orchestration.publish.run_record import PUBLISHED_KEY
from orchestration.publish.published_state import CANDIDATE_KEY, PUBLISHED_STATE_KEY


def _materializations(result) -> dict:
    return {e.asset_key: e.event_specific_data.materialization for e in result.all_events
            if e.event_type == DagsterEventType.ASSET_MATERIALIZATION}


def test_the_publish_step_records_the_version_and_the_run_it_published(demo_refresh):
    published = _materializations(demo_refresh.result)[PUBLISHED_KEY].metadata
    assert published["published_from_run"].value == demo_refresh.result.run_id
    assert len(published["content_version"].value) >= 12 and published["published_at"].value


def test_every_materialisation_of_the_run_is_marked_as_a_candidate_of_the_run(demo_refresh):
    run_id = demo_refresh.result.run_id
    built = {key: m for key, m in _materializations(demo_refresh.result).items()
             if key.path[0] in ("raw", "staging", "intermediate", "marts", "bi", "reference")}
    assert len(built) > 100
    for key, materialization in built.items():
        text = materialization.metadata[CANDIDATE_KEY].value
        assert run_id in text and "candidate" in text, key


def test_every_asset_the_run_built_is_then_observed_as_published(demo_refresh):
    result = demo_refresh.result
    version = _materializations(result)[PUBLISHED_KEY].metadata["content_version"].value
    # what the run built before publishing (the board report is built from the published warehouse)
    built = {key for key in _materializations(result) if key.path[0] != "published"}
    observations = [e.event_specific_data.asset_observation for e in result.all_events
                    if e.event_type == DagsterEventType.ASSET_OBSERVATION]
    observed = {o.asset_key: o.metadata[PUBLISHED_STATE_KEY].value for o in observations
                if PUBLISHED_STATE_KEY in o.metadata}
    assert built <= set(observed)
    for key in built:
        assert observed[key].startswith("published") and version in observed[key] and result.run_id in observed[key]
