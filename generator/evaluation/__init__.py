"""How generated samples are judged, one metric suite per kind of target.

* :mod:`.suites` — :func:`suite` looks a target's kind up and returns its
  :class:`MetricSuite`: metric names, headline, direction, evaluation size, scoring, failure
  values, summary line and figures; the only place that knows what a kind is judged by;
* :mod:`.sampling` — reproducible draws from a trained generator, scored by the suite;
* :mod:`.points` — mode coverage, high-quality fraction and reverse KL of 2-D samples;
* :mod:`.images` — class coverage, class KL, confidence and the Fréchet classifier distance,
  with cached reference statistics; :mod:`.stacked` — the 1,000-mode Stacked MNIST protocol;
* :mod:`.classifier` — the judging classifier (the feature extractor), trained and cached;
* :mod:`.frechet` — the Fréchet arithmetic, for any features.
"""

from .suites import LABELS, LARGER_IS_BETTER, SUITES, MetricSuite, suite

__all__ = ["LABELS", "LARGER_IS_BETTER", "SUITES", "MetricSuite", "suite"]
