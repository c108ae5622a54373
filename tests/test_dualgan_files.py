"""Atomic output files (dualgan.files): all or nothing, usual permissions, exact content."""

import json
import os
import stat

import pytest
from matplotlib.figure import Figure

from dualgan.files import atomic_write, save_figure, write_json, write_text


def test_a_write_that_fails_midway_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "metrics.json"
    write_json(path, {"modes": 8})
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(path) as handle:
            handle.write('{"modes": ')
            raise KeyboardInterrupt
    assert json.loads(path.read_text()) == {"modes": 8}
    assert os.listdir(tmp_path) == ["metrics.json"]


def test_the_file_appears_only_when_complete(tmp_path):
    path = tmp_path / "table.csv"
    with atomic_write(path, newline="") as handle:
        handle.write("a,b\r\n")
        assert not path.exists()  # written so far: a hidden temporary file only
        (temporary,) = os.listdir(tmp_path)
        assert temporary.startswith(".table.csv.") and temporary.endswith(".tmp")
    assert path.read_bytes() == b"a,b\r\n"


def test_permissions_are_those_of_an_ordinary_open(tmp_path):
    previous = os.umask(0o027)
    try:
        with open(tmp_path / "plain.txt", "w") as handle:
            handle.write("x")
        write_text(tmp_path / "atomic.txt", "x")
    finally:
        os.umask(previous)
    modes = [stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("plain.txt",
                                                                         "atomic.txt")]
    assert modes[0] == modes[1] == 0o640


def test_text_is_written_exactly_and_json_round_trips(tmp_path):
    write_text(tmp_path / "t.csv", "x,y\r\n1,2\n")
    assert (tmp_path / "t.csv").read_bytes() == b"x,y\r\n1,2\n"
    payload = {"loss": [1.5, float("nan")], "name": "ring", "nested": {"k": 3}}
    write_json(tmp_path / "m.json", payload)
    text = (tmp_path / "m.json").read_text()
    assert text == json.dumps(payload, indent=2)


def test_a_figure_is_the_one_savefig_writes(tmp_path):
    fig = Figure(figsize=(2, 2))
    fig.subplots().plot([0, 1], [1, 0])
    fig.savefig(tmp_path / "direct.png", dpi=50)
    save_figure(fig, tmp_path / "atomic.png", dpi=50)
    assert (tmp_path / "atomic.png").read_bytes() == (tmp_path / "direct.png").read_bytes()
    save_figure(fig, tmp_path / "vector.svg")
    assert (tmp_path / "vector.svg").read_text().startswith("<?xml")


def test_only_whole_file_modes_are_accepted(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'w' or 'wb', got 'a'"):
        with atomic_write(tmp_path / "x", "a"):
            pass
