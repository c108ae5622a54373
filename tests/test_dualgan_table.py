"""dualgan.table: the resumable result table (header check, finished keys, atomic appends)."""

import pytest

from dualgan.files import ResultsFileError
from dualgan.table import DuplicateKeyError, ResultTable, normalize

FIELDS = ("name", "size", "widths", "rate", "value")


def _table(path):
    return ResultTable(path, FIELDS, ("name", "size", "widths", "rate"), kind="test",
                       required=("value",))


def test_a_key_from_settings_equals_the_key_read_back(tmp_path):
    table = _table(tmp_path / "t.csv")
    settings = {"name": "a", "size": 3, "widths": (8, 8), "rate": None}
    table.append({**settings, "value": 0.5, "ignored": "x"})
    assert table.keys() == {table.key_of(settings)} == {("a", 3, (8, 8), None)}
    assert table.key_of({**settings, "size": 3.0}) == table.key_of(settings)
    assert normalize("[1, 2.5]") == (1, 2.5) and normalize("1e-3") == 1e-3
    assert normalize(" ") is None and normalize("native") == "native"


def test_a_column_added_later_reads_as_its_value_of_before_and_is_written_back(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("name,size,widths,value\na,3,[8],0.5\n")  # written before "rate" existed
    table = ResultTable(path, FIELDS, ("name", "size", "widths", "rate"), kind="test",
                        added={"rate": 0.1})
    assert table.keys() == {("a", 3, (8,), 0.1)}
    table.append({"name": "b", "size": 1, "widths": (4,), "rate": 0.2, "value": 1.0})
    assert path.read_text().splitlines()[1] == "a,3,[8],0.1,0.5"
    assert _table(path).keys() == {("a", 3, (8,), 0.1), ("b", 1, (4,), 0.2)}
    assert normalize("True") is True and normalize("False") is False


def test_rows_are_appended_one_at_a_time_and_a_torn_row_is_skipped(tmp_path):
    path = tmp_path / "t.csv"
    table = _table(path)
    for size in range(3):
        table.append({"name": "a", "size": size, "widths": [4], "rate": 0.1, "value": size})
    assert [r["size"] for r in table.rows()] == ["0", "1", "2"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]) + lines[-1][:6])  # a truncated copy
    assert [r["size"] for r in table.rows()] == ["0", "1"]
    table.append({"name": "b", "size": 0, "widths": [4], "rate": 0.1, "value": 1})
    assert [r["name"] for r in table.rows()] == ["a", "a", "b"]  # the torn row is gone


def test_a_row_without_a_required_value_is_not_finished(tmp_path):
    table = _table(tmp_path / "t.csv")
    table.append([{"name": "a", "size": 1, "widths": [], "rate": 1, "value": ""},
                  {"name": "b", "size": 1, "widths": [], "rate": 1, "value": 2}])
    assert table.keys() == {("b", 1, (), 1)}
    assert table.keys(where=lambda row: row["name"] == "a") == set()


@pytest.mark.parametrize("content", [b"garbage\n1,2\n", b"\xff\xfe\x00binary"])
def test_another_file_is_refused_in_one_line_and_left_as_it_was(tmp_path, content):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    with pytest.raises(ResultsFileError, match="not a test CSV") as refused:
        _table(path).check()
    assert str(path) in str(refused.value) and "\n" not in str(refused.value)
    assert path.read_bytes() == content


def test_start_afresh_replaces_the_file_at_the_first_append(tmp_path):
    path = tmp_path / "t.csv"
    table = _table(path)
    table.append({"name": "old", "size": 1, "widths": [], "rate": 1, "value": 1})
    before = path.read_text()
    table = _table(path)
    table.start_afresh()
    assert table.rows() == [] and path.read_text() == before  # untouched until the append
    table.append({"name": "new", "size": 1, "widths": [], "rate": 1, "value": 1})
    assert [r["name"] for r in _table(path).rows()] == ["new"]


def _row(name, size, value=1.0, **extra):
    return {"name": name, "size": size, "widths": [4], "rate": 0.1, "value": value, **extra}


def test_a_row_whose_key_is_present_is_never_appended(tmp_path):
    path = tmp_path / "t.csv"
    table = _table(path)
    table.append(_row("a", 1))
    before = path.read_bytes()
    # the same key written as other text: size 1.0, widths as a tuple
    with pytest.raises(DuplicateKeyError, match=r"already holds a row for \(name=a, size=1,"):
        table.append({**_row("a", 1.0, value=2.0), "widths": (4,)})
    with pytest.raises(DuplicateKeyError):  # nor within a unit of rows
        table.append([_row("b", 1), _row("a", 1)])
    assert path.read_bytes() == before
    table.append(_row("a", 2))  # another key
    assert [(r["name"], r["size"]) for r in table.rows()] == [("a", "1"), ("a", "2")]


def test_a_row_to_be_retried_may_be_followed_by_one_with_its_key(tmp_path):
    table = ResultTable(tmp_path / "t.csv", FIELDS + ("status",), ("name", "size"),
                        retried=lambda row: row["status"] == "error")
    table.append(_row("a", 1, status="error"))
    table.append(_row("a", 1, status="ok"))  # the retry: the failed row stays as a record
    assert [r["status"] for r in table.rows()] == ["error", "ok"]
    assert table.check().duplicates() == []
    with pytest.raises(DuplicateKeyError):
        table.append(_row("a", 1, status="ok"))


def test_a_table_holding_keys_twice_is_refused_in_one_line_naming_them(tmp_path):
    path = tmp_path / "t.csv"
    text = "name,size,widths,rate,value\n" + "".join(
        f"{name},{size},[4],0.1,1\n" for name, size in [("a", 1), ("b", 1), ("a", 1), ("c", 2),
                                                        ("b", 1), ("b", 1)])
    path.write_text(text)
    with pytest.raises(DuplicateKeyError) as refused:
        _table(path).check()
    message = str(refused.value)
    assert "\n" not in message and str(path) in message
    assert "2 key(s) more than once" in message
    assert "(name=a, size=1, widths=(4,), rate=0.1); (name=b, size=1, widths=(4,), rate=0.1)" \
        in message
    assert path.read_text() == text


def test_rows_told_apart_by_row_id_are_one_key_held_once(tmp_path):
    """A benchmark's cell: several rows (one per backend) under one key."""
    table = ResultTable(tmp_path / "t.csv", ("cell", "backend", "seconds"), ("cell",),
                        row_id=("backend",))
    table.append([{"cell": 1, "backend": "x", "seconds": 1}, {"cell": 1, "backend": "y",
                                                               "seconds": 2}])
    assert table.check().duplicates() == []
    with pytest.raises(DuplicateKeyError):  # the cell again
        table.append([{"cell": 1, "backend": "x", "seconds": 1}])
    text = (tmp_path / "t.csv").read_text()
    (tmp_path / "t.csv").write_text(text + "1,x,3\n")  # a backend's row twice in a cell
    assert table.duplicates() == [(1,)]
