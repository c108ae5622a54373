"""Figures of a run: per-step curves (:mod:`.curves`), 2-D samples and dual weights
(:mod:`.points`), image grids and histograms (:mod:`.images`). Which figures a kind of target
gets is its metric suite's choice (:mod:`generator.evaluation.suites`)."""
