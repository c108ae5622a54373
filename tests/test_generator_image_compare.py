"""examples/compare_image_gans.py: both methods per seed as a study (one row per run in
comparison.csv), the summary over seeds from the runs' own metrics files, the baseline's budget
from its dual's row, a rerun that trains nothing, a run scored before a metric existed scored
again from its checkpoint, a rerun with more steps that extends the finished runs, and a
budget that the finished runs were not trained under, refused."""

import json

import numpy as np
import pytest

from conftest import run_script


@pytest.mark.slow
def test_comparison_summarizes_the_per_seed_metrics_files_and_resumes(tmp_path,
                                                                       digits_classifier):
    out = tmp_path / "compare"
    argv = ["--target", "digits", "--seeds", "3", "4", "--steps", "4", "--out", str(out),
            "--cache-dir", str(digits_classifier["cache"]), "--no-progress"]
    done = run_script("compare_image_gans", argv)
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "comparison.json").read_text())["summary"]
    for method in ("neural-dual", "mlp-ns"):
        per_seed = [json.loads((out / method / f"seed{s}" / "metrics.json").read_text())
                    for s in (3, 4)]
        for key in ("frechet_classifier_distance", "class_reverse_kl", "classes_covered"):
            values = np.array([m[key] for m in per_seed], dtype=float)
            assert summary[method][key]["mean"] == pytest.approx(values.mean(), rel=1e-12)
            assert summary[method][key]["std"] == pytest.approx(values.std(ddof=1), rel=1e-12)
        fcd = [m["frechet_classifier_distance"] for m in per_seed]
        assert summary[method]["frechet_classifier_distance"]["worst"] == max(fcd)
    assert (out / "samples.png").stat().st_size > 0 and "| linearized dual" in (
        out / "comparison.md").read_text()

    # the study's table: one row per run; each baseline's step cap is its dual's trained steps
    # times the allowance, and it stopped at its cap or once its dual's seconds were spent (the
    # budget policy; how far a step overshoots depends on the machine's load, not asserted)
    from generator.study.comparison import STEP_ALLOWANCE
    from generator.study.store import StudyTable

    rows = {(r["method"], int(r["seed"])): r for r in StudyTable(out / "comparison.csv").rows()}
    assert sorted(rows) == [(m, s) for m in ("mlp-ns", "neural-dual") for s in (3, 4)]
    for seed in (3, 4):
        dual, base = rows["neural-dual", seed], rows["mlp-ns", seed]
        assert dual["status"] == base["status"] == "ok" and int(dual["trained_steps"]) == 4
        assert int(base["steps"]) == STEP_ALLOWANCE * 4
        assert int(base["trained_steps"]) <= STEP_ALLOWANCE * 4
        assert (int(base["trained_steps"]) == STEP_ALLOWANCE * 4
                or float(base["train_seconds"]) >= float(dual["train_seconds"]))

    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/seed*/metrics.json")}
    done = run_script("compare_image_gans", argv)  # finished runs are read back, not trained
    assert done.returncode == 0, done.stderr
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/seed*/metrics.json")} == stamps

    # a run without a row whose metrics.json lacks a reported metric (a comparison run before
    # the metric existed) resumes its finished checkpoint: scored again, not trained again
    (out / "comparison.csv").unlink()
    path = out / "neural-dual" / "seed3" / "metrics.json"
    before = json.loads(path.read_text())
    path.write_text(json.dumps({k: v for k, v in before.items() if k != "class_reverse_kl"}))
    done = run_script("compare_image_gans", argv)
    assert done.returncode == 0, done.stderr
    assert "resumed from step 4" in done.stdout
    after = json.loads(path.read_text())
    assert after["steps"] == before["steps"] == 4
    assert after["class_reverse_kl"] == pytest.approx(before["class_reverse_kl"], rel=1e-9)

    # the same directory asked for more steps (the rates are constant): each finished run is
    # extended from its checkpoint, not trained again, and each baseline trains on to its dual's
    # new time (its metrics record the budget they were trained under)
    longer = list(argv)
    longer[argv.index("--steps") + 1] = "6"
    done = run_script("compare_image_gans", longer)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("resumed from step 4 of ") == 2  # the two duals
    for seed in (3, 4):
        dual, base = (json.loads((out / m / f"seed{seed}" / "metrics.json").read_text())
                      for m in ("neural-dual", "mlp-ns"))
        assert dual["steps"] == dual["config"]["steps"] == 6 and dual["max_seconds"] is None
        assert base["max_seconds"] == dual["seconds"]
        assert base["steps"] == STEP_ALLOWANCE * 6 or base["seconds"] >= dual["seconds"]

    # a budget for runs trained without one: their rows are not read back as its result; the
    # comparison is refused in one line before anything trains
    stamps = {p: p.stat().st_mtime_ns for p in out.glob("*/seed*/metrics.json")}
    done = run_script("compare_image_gans", [*longer, "--budget", "1000"])
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("compare_image_gans.py: error: ")
    assert "neural-dual seed 3 trained under no budget, and this comparison gives it a budget " \
           "of 1000 s" in done.stderr
    assert {p: p.stat().st_mtime_ns for p in out.glob("*/seed*/metrics.json")} == stamps
