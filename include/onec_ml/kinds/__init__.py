"""One module per model type. Each defines what the trainer needs, and nothing of MLflow:

* ``COLUMNS`` — the dataset columns it reads; ``OPTIONS`` — grid keys that are not estimator arguments;
* ``prepare(splits)`` — features and labels of every split (raises DatasetError naming the file when
  a split holds nothing to learn from or score on);
* ``fit(spec, point, prepared)`` — a fitted model for one grid point, trained on the train split;
* ``score(model, prepared, split)`` — the spec's metric on a split (a champion trained on another
  dataset is scored with the same function on this dataset's test split);
* ``baseline(prepared, split)`` — the simple baseline's metric on a split;
* ``report(model, prepared, folder)`` — files a team can act on, written to *folder*; returns extra metrics.
"""

from __future__ import annotations

from types import ModuleType

from onec_ml.kinds import classification, clustering, ranking, recommendation, regression

KINDS: dict[str, ModuleType] = {
    "classification": classification,
    "regression": regression,
    "clustering": clustering,
    "ranking": ranking,
    "recommendation": recommendation,
}
