"""Landed deliveries kept in a content-addressed archive: once per content, by hard link when it can."""

import errno
import hashlib
import os

import pytest

from orchestration.publish import archive
from orchestration.publish.archive import ArchivedDelivery, archive_deliveries, archive_path


def deliver(landing, label: str, text: str) -> ArchivedDelivery:
    path = landing / label
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stat = path.stat()
    return ArchivedDelivery("datix_incident", label, hashlib.sha256(text.encode()).hexdigest(),
                            stat.st_size, stat.st_mtime_ns)


def test_each_delivery_is_archived_once_under_its_hash_by_hard_link(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    first = deliver(landing, "datix_incident/datix_RXX.csv", "a,b\n1,2\n")
    resent = deliver(landing, "datix_incident/datix_RXX_resent.csv", "a,b\n1,2\n")  # same content
    outcome = archive_deliveries([first, resent], landing, warehouse)
    target = archive_path(warehouse, first)
    assert target == warehouse / "archive" / "datix_incident" / f"{first.sha256}.csv"
    assert target.read_text() == "a,b\n1,2\n"
    assert os.path.samefile(target, landing / first.label)  # a hard link: no second copy on disk
    assert outcome.archived == [first.label] and outcome.failed == {}
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
    assert oct((warehouse / "archive").stat().st_mode & 0o777) == "0o700"

    again = archive_deliveries([first, resent], landing, warehouse)
    assert again.archived == [] and again.already == 2 and again.failed == {}


def test_a_copy_when_a_hard_link_is_not_possible(tmp_path, monkeypatch):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    delivery = deliver(landing, "datix_incident/d.csv", "x\n1\n")

    def cross_device(*args, **kwargs):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(archive.os, "link", cross_device)
    outcome = archive_deliveries([delivery], landing, warehouse)
    target = archive_path(warehouse, delivery)
    assert outcome.archived == [delivery.label] and target.read_text() == "x\n1\n"
    assert not os.path.samefile(target, landing / delivery.label)
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_a_file_changed_or_gone_since_it_was_landed_is_reported_not_archived(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    changed = deliver(landing, "datix_incident/changed.csv", "x\n1\n")
    (landing / changed.label).write_text("x\n2\n3\n")  # another delivery replaced it after landing
    gone = deliver(landing, "datix_incident/gone.csv", "y\n")
    (landing / gone.label).unlink()
    kept = deliver(landing, "datix_incident/kept.csv", "z\n")
    outcome = archive_deliveries([changed, gone, kept], landing, warehouse)
    assert outcome.archived == [kept.label]
    assert set(outcome.failed) == {changed.label, gone.label}
    assert "changed since it was landed" in outcome.failed[changed.label]
    assert not archive_path(warehouse, changed).exists() and not archive_path(warehouse, gone).exists()
    assert not list((warehouse / "archive").rglob("*.partial"))


def test_an_archive_that_cannot_be_written_fails_per_file_without_raising(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    delivery = deliver(landing, "datix_incident/d.csv", "x\n1\n")
    warehouse.mkdir()
    (warehouse / "archive").write_text("not a folder")
    outcome = archive_deliveries([delivery], landing, warehouse)
    assert outcome.archived == [] and list(outcome.failed) == [delivery.label]


@pytest.mark.parametrize("label", ["datix_incident/../../etc/passwd", "/etc/passwd"])
def test_a_label_outside_the_landing_folder_is_never_read(tmp_path, label):
    delivery = ArchivedDelivery("datix_incident", label, "0" * 64, 1, 1)
    outcome = archive_deliveries([delivery], tmp_path / "landing", tmp_path / "warehouse")
    assert list(outcome.failed) == [label] and "outside" in outcome.failed[label]


def test_regenerating_a_landed_file_leaves_its_archived_bytes(tmp_path):
    """`edi generate` into a folder that holds its files replaces them by rename: the archive's hard
    link keeps the bytes that were landed, and a generator killed mid-file leaves the old file whole."""
    from orchestration.synthetic.writer import Table, write_table

    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse"
    landed = deliver(landing, "datix_incident/datix_RXX.csv", "a,b\n1,2\n")
    archive_deliveries([landed], landing, warehouse)
    write_table(Table(("a", "b"), {"a": ["3"], "b": ["4"]}), landing / landed.label)
    assert (landing / landed.label).read_text() == "a,b\n3,4\n"
    assert archive_path(warehouse, landed).read_text() == "a,b\n1,2\n"

    class Killed(Exception):
        pass

    def rows_then_killed():
        yield "5"
        raise Killed

    unfinished = Table(("a", "b"), {"a": ["5", "6"], "b": ["6", "7"]})
    unfinished.columns["a"] = rows_then_killed()
    with pytest.raises(Killed):
        write_table(unfinished, landing / landed.label)
    assert (landing / landed.label).read_text() == "a,b\n3,4\n"
    assert [p.name for p in (landing / "datix_incident").iterdir()] == ["datix_RXX.csv"]
