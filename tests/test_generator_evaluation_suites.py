"""generator.evaluation.suites: one metric suite per kind of target, found from a target or its
name, whose names, directions and failure values agree with what its judge computes."""

import math

import pytest
import torch

from generator.data.targets import KINDS, TARGET_KINDS, make_target
from generator.evaluation import LABELS, SUITES, suite
from generator.evaluation.sampling import score_samples
from generator.study.run import RESULT_FIELDS


def test_every_kind_of_target_has_a_suite_and_every_target_name_finds_its_own():
    assert set(SUITES) == set(KINDS)
    for name, kind in TARGET_KINDS.items():
        assert suite(name) is SUITES[kind]
    for name in ("ring", "grid", "gaussian", "digits"):  # built targets agree with their names
        assert suite(make_target(name)) is suite(name)


def test_an_unknown_target_name_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match=r"target must be one of .*'ring'.*got 'rings'"):
        suite("rings")


@pytest.mark.parametrize("kind", sorted(SUITES))
def test_every_ordered_or_shown_metric_has_a_direction_and_a_label(kind):
    s = SUITES[kind]
    for metric in {s.headline, s.covered, *s.summarized, *s.compared, *s.plotted}:
        assert isinstance(s.larger_is_better(metric), bool)
        assert metric in LABELS
    assert s.summarized[0] == s.covered and s.larger_is_better(s.covered)
    assert set(s.fields) <= set(s.reported) and {s.covered, s.total} <= set(s.fields)
    assert set(s.fields) <= set(RESULT_FIELDS)
    assert set(s.compared) <= set(s.fields)  # a comparison reads its columns from study rows


def test_a_metric_without_a_direction_is_refused():
    with pytest.raises(ValueError, match="metric 'num_modes' has no direction"):
        SUITES["points"].larger_is_better("num_modes")


def test_real_ring_samples_score_every_reported_metric_and_cover_every_mode():
    target = make_target("ring")
    real = target.sample(suite(target).eval_size, torch.Generator().manual_seed(0))
    metrics = score_samples(target, real)
    s = suite(target)
    assert set(s.reported) <= set(metrics)
    # 2,500 draws over 8 equally likely modes: each holds 312 on average, none is empty
    assert metrics[s.covered] == metrics[s.total] == 8
    assert s.summary(target, metrics).startswith("ring: 8/8 modes")


@pytest.mark.parametrize("name", ["ring", "digits"])
def test_a_diverged_run_scores_nothing_covered_and_undefined_distances(name):
    target = make_target(name)
    s = suite(target)
    failed = s.failed(target)
    assert set(s.compared) <= set(failed) <= set(s.fields)
    assert failed[s.covered] == 0 and failed[s.total] > 0
    assert math.isnan(failed[s.headline]) or failed[s.headline] == 0.0
