"""Writes to the cache folder are announced once on stderr, naming the file and DUALGAN_CACHE
(issue 32, item 9)."""

import os

import pytest

from dualgan import cache


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A cache folder under tmp_path through DUALGAN_CACHE, nothing announced yet."""
    monkeypatch.setattr(cache, "_announced", set())
    monkeypatch.setenv("DUALGAN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_folder_is_dualgan_cache_else_xdg_else_home(monkeypatch, tmp_path):
    monkeypatch.setenv("DUALGAN_CACHE", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == str(tmp_path / "a")
    monkeypatch.delenv("DUALGAN_CACHE")
    assert cache.cache_dir() == str(tmp_path / "xdg" / "dualgan")
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == os.path.join(os.path.expanduser("~"), ".cache", "dualgan")


def test_a_file_is_announced_once_per_process(fresh, capsys):
    path = fresh / "x.json"
    assert cache.announce_write(path, "x") is True
    assert cache.announce_write(path, "x") is False
    lines = capsys.readouterr().err.splitlines()
    assert lines == [f"dualgan: caching x in {path} (set DUALGAN_CACHE to choose another folder)"]


def test_the_calibration_constants_are_written_to_the_cache_folder_and_announced(
        fresh, capsys, monkeypatch):
    from dual import calibration

    constants = calibration.current()  # from the tests' own cache file (tests/conftest.py)
    monkeypatch.delenv("DUAL_CALIBRATION", raising=False)
    assert calibration.cache_path() == fresh / "calibration.json"
    assert calibration._save(constants)
    err = capsys.readouterr().err
    assert (fresh / "calibration.json").is_file()
    assert str(fresh / "calibration.json") in err and "DUALGAN_CACHE" in err


def test_the_judging_classifier_is_announced_before_it_is_trained(fresh, capsys, monkeypatch):
    from generator.data.targets import make_target
    from generator.evaluation import classifier

    def stop(target):
        raise RuntimeError("not trained in this test")

    monkeypatch.setattr(classifier, "train_classifier", stop)
    target = make_target("digits")
    with pytest.raises(RuntimeError, match="not trained"):
        classifier.load_or_train(target)
    err = capsys.readouterr().err
    assert classifier.cache_path(target).startswith(str(fresh))
    assert f"in {classifier.cache_path(target)} (set DUALGAN_CACHE" in err
