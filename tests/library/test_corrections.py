"""corrections.csv: reviewers' decisions as data; a bad row is one error naming its line."""
import pytest

from ingestion.load import corrections
from ingestion.load.corrections import Correction, CorrectionsInvalid

SHA = "ab" * 32
FIELD = "applications.granted.total"


def test_decisions_are_appended_with_their_time_and_read_back_with_their_lines(tmp_path):
    path = tmp_path / "corrections.csv"
    corrections.append(path, Correction(SHA, "correct", field=FIELD, value="5", parser_value="", who="a", why="p.3"))
    corrections.append(path, Correction(SHA, "correct", field=FIELD, value="6", who="b", why="second look"))
    corrections.append(path, Correction(SHA, "printed_as_is", rule="balance", subject="natural_person", who="b",
                                        why="as printed"))
    rows = corrections.read(path)
    assert [line for line, _ in rows] == [2, 3, 4] and rows[1][1].value == "6" and rows[0][1].at
    frame = corrections.frame(path)
    assert frame["value"].to_list() == [5.0, 6.0, None] and frame["line"].to_list() == [2, 3, 4]
    assert corrections.read(tmp_path / "absent.csv") == []


@pytest.mark.parametrize("row, said", [
    (f"{SHA},correct,{FIELD},lots,,,,me,2026-12-07,x", "line 3: value 'lots' is not a number"),
    (f"{SHA},corect,{FIELD},1,,,,me,2026-12-07,x", "line 3: action 'corect' is none of"),
    (f"abc,correct,{FIELD},1,,,,me,2026-12-07,x", "line 3: document_id 'abc' is not a sha256"),
    (f"{SHA},correct,no.such.cell,1,,,,me,2026-12-07,x", "line 3: field 'no.such.cell' is no cell"),
    (f"{SHA},correct,{FIELD},1,,,,me,2026-12-07,", "line 3: who and why are required"),
    (f"{SHA},printed_as_is,,,balance,,,me,2026-12-07,x", "line 3: printed_as_is needs the finding's rule and subject"),
    (f"{SHA},confirm,{FIELD},,,,,me,yesterday,x", "line 3: at 'yesterday' is not an ISO time"),
])
def test_a_row_edited_wrong_by_hand_is_one_error_naming_its_line(tmp_path, row, said):
    path = tmp_path / "corrections.csv"
    corrections.append(path, Correction(SHA, "confirm", field=FIELD, who="a", why="fine"))
    path.write_text(path.read_text(encoding="utf-8") + row + "\n", encoding="utf-8")
    with pytest.raises(CorrectionsInvalid) as err:
        corrections.read(path)
    assert said in str(err.value) and "\n" not in str(err.value)
