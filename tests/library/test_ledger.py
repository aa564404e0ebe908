"""The ledger keeps arrivals and operators' decisions through the loss of the landing index,
a crash in the middle of a write, and the loss of the ledger itself (rebuilt from the index)."""
import logging

from ingestion.load.landing import LandingIndex
from ingestion.load.ledger import Ledger


def _landed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("a", encoding="utf-8")
    (raw / "b.txt").write_text("b", encoding="utf-8")
    index_path = tmp_path / "wh" / "landing.sqlite"
    with LandingIndex(index_path) as index:
        index.scan(raw)
        arrived = {s: src[0].arrived for s, src in index.sources().items()}
        [a] = index.resolve("a.txt")
        index.drop(a, "wrong figures")
    return raw, index_path, arrived, a


def test_the_index_is_rebuilt_from_the_ledger(tmp_path):
    raw, index_path, arrived, a = _landed(tmp_path)
    for f in index_path.parent.glob("landing.sqlite*"):
        f.unlink()
    with LandingIndex(index_path) as index:
        assert index.decisions() == {a: "wrong figures"}
        index.scan(raw)  # seen again now: the ledger's earlier arrival stands
        assert {s: src[0].arrived for s, src in index.sources().items()} == arrived
        assert index.undrop(a) and not index.undrop(a)
    with LandingIndex(index_path) as index:
        assert index.decisions() == {}


def test_a_line_a_crash_cut_short_is_skipped_and_later_lines_read(tmp_path, caplog):
    raw, index_path, _, a = _landed(tmp_path)
    ledger = Ledger(index_path.with_name("ledger.jsonl"))
    with ledger.path.open("a", encoding="utf-8") as f:
        f.write('{"at": "2026-12-07T00:00:00+00:00", "event": "rel')  # killed mid-write
    for f in index_path.parent.glob("landing.sqlite*"):
        f.unlink()
    with caplog.at_level(logging.WARNING), LandingIndex(index_path) as index:
        assert index.decisions() == {a: "wrong figures"}
        assert "cut short" in caplog.text
        assert index.undrop(a)  # written on a line of its own, after the cut one
    caplog.clear()
    for f in index_path.parent.glob("landing.sqlite*"):
        f.unlink()
    with caplog.at_level(logging.WARNING), LandingIndex(index_path) as index:
        assert index.decisions() == {}
        assert "is no event" in caplog.text  # the cut line, named by its place


def test_a_lost_ledger_is_written_again_from_the_index(tmp_path, caplog):
    raw, index_path, arrived, a = _landed(tmp_path)
    ledger = index_path.with_name("ledger.jsonl")
    ledger.unlink()
    with caplog.at_level(logging.WARNING), LandingIndex(index_path) as index:
        assert "shorter than the landing index has read" in caplog.text
        assert index.decisions() == {a: "wrong figures"}
    for f in index_path.parent.glob("landing.sqlite*"):
        f.unlink()
    with LandingIndex(index_path) as index:
        assert index.decisions() == {a: "wrong figures"}
        assert {s: src[0].arrived for s, src in index.sources().items()} == {}  # files come back with a scan
        index.scan(raw)
        assert {s: src[0].arrived for s, src in index.sources().items()} == arrived
