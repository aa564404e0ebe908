"""The committed corpora the library tests read (tests/fixtures/corpus) are what the generator
makes today: the same documents under the same names, with the same truth. A PDF's or a
DOC's bytes differ from one LibreOffice run to the next, so the documents are compared by
name and what they parse to."""
import pytest

from corpus.fixtures import ROOT, SETS
from corpus.generate import read_corpus
from ingestion.parser.parse import parse_file


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_committed_corpus_is_what_the_generator_makes(name, tmp_path):
    made = {c.id: c for c in SETS[name]()}
    kept = {c.id: c for c in read_corpus(ROOT / name)}
    assert sorted(made) == sorted(kept), f"run `make fixtures`: {name} has other documents"
    for case_id, case in made.items():
        assert case.filename == kept[case_id].filename and case.gold == kept[case_id].gold, \
            f"run `make fixtures`: {case_id} of {name} differs"
        if case.filename.endswith((".pdf", ".doc")) and not case.gold.get("expect_error"):
            assert _cells(case, tmp_path / "made") == _cells(kept[case_id], tmp_path / "kept"), case_id


def _cells(case, folder):
    folder.mkdir(exist_ok=True)
    (folder / case.filename).write_bytes(case.content)
    return parse_file(folder / case.filename)["cells"]
