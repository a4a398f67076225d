"""Fixtures shared by the unit tests."""

import pytest
from dagster import job, op


@op
def _one():
    return 1


@job
def _tiny():
    _one()


@pytest.fixture
def tiny_job():
    """A one-op Dagster job: a real run, with its events, in whatever instance a test gives it."""
    return _tiny
