"""Models trained on the EDT ML dataset (one row per BSL method), tracked and registered in MLflow.

A plain library — no Airflow — so a notebook, a test or the ``ml_retraining`` DAG call the same
functions:

* ``load_specs()`` — the five model specifications of ``models.yaml`` (classification, regression,
  clustering, ranking, recommendation);
* ``train(spec, dataset_dir, tracking_uri)`` — tune on validation, score on test against the
  baseline, log the run, register a model version; a small JSON-able result;
* ``evaluate_all(results, specs, dataset_dir, tracking_uri)`` — promote (alias ``champion``) only a
  model better than the current champion on the same test split;
* ``cleanup(specs, keep, tracking_uri)`` — keep the last runs of each model, delete the rest.
"""

from onec_ml.cleanup import cleanup
from onec_ml.data import DatasetError
from onec_ml.promotion import evaluate_all
from onec_ml.specs import ModelSpec, SpecError, load_specs
from onec_ml.tracking import prepare as prepare_tracking
from onec_ml.training import train

__all__ = [
    "DatasetError",
    "ModelSpec",
    "SpecError",
    "cleanup",
    "evaluate_all",
    "load_specs",
    "prepare_tracking",
    "train",
]
