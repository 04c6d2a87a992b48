"""Fan-in: compare every new model with its type's champion on the same held-out split; promote a better one.

A champion trained on an earlier dataset is scored again on *this* dataset's test split with its
type's metric, so both numbers come from the same rows. A new model is promoted (it takes the
``champion`` alias) only when it beats its baseline and, if a champion exists, scores strictly better.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from onec_ml import tracking
from onec_ml.kinds import KINDS
from onec_ml.specs import ModelSpec
from onec_ml.training import fingerprint, prepare

log = logging.getLogger(__name__)


def evaluate_all(
    results: list[dict[str, Any]],
    specs: list[ModelSpec],
    dataset_dir: Path | str,
    tracking_uri: str | None = None,
) -> dict[str, Any]:
    """Decide for every spec: promoted, kept the champion, or failed (with why).

    *results* are ``train`` results, and for a model that failed ``{"model": name, "status":
    "failed", "error": "..."}``; a spec with no result at all is reported as not run.
    """
    uri = tracking.tracking_uri(tracking_uri)
    client = tracking.connect(uri)
    by_name = {result["model"]: result for result in results if result}
    decisions = []
    for spec in specs:
        result = by_name.get(spec.name)
        if result is None:
            decisions.append(_failed(spec, "no result: the training did not run or left nothing"))
        elif result.get("status") != "trained":
            decisions.append(_failed(spec, result.get("error") or "the training failed"))
        else:
            decisions.append(_decide(client, spec, result, dataset_dir))
    report = {
        "models": decisions,
        "promoted": [d["model"] for d in decisions if d["decision"] == "promoted"],
        "failed": [d["model"] for d in decisions if d["decision"] == "failed"],
        "test_split": _safe_fingerprint(dataset_dir),
    }
    for line in summary_lines(report):
        log.info("%s", line)
    return report


def _failed(spec: ModelSpec, why: str) -> dict[str, Any]:
    return {"model": spec.name, "type": spec.type, "decision": "failed", "reason": why}


def _decide(client, spec: ModelSpec, result: dict[str, Any], dataset_dir) -> dict[str, Any]:
    decision = {
        "model": spec.name,
        "type": spec.type,
        "metric": spec.metric,
        "version": result["version"],
        "test": result["test"],
        "baseline": result["baseline"],
    }
    if not result["beats_baseline"]:
        return {**decision, "decision": "kept", "reason": f"does not beat its baseline ({spec.baseline})"}
    current = tracking.champion(client, spec)
    if current is not None and str(current.version) == str(result["version"]):
        return {**decision, "decision": "kept", "reason": "already the champion"}
    if current is None:
        _promote(client, spec, result["version"], "no champion yet")
        return {**decision, "decision": "promoted", "reason": "no champion yet"}
    try:
        champion_score = rescore(spec, current, dataset_dir)
    except Exception as exc:  # a champion that cannot be scored any more (e.g. unreadable) is replaced
        reason = f"champion v{current.version} cannot be scored on this test split: {exc}"
        _promote(client, spec, result["version"], reason)
        return {
            **decision,
            "decision": "promoted",
            "champion_version": str(current.version),
            "reason": reason,
        }
    decision.update(champion_version=str(current.version), champion_test=float(champion_score))
    if spec.better(result["test"], champion_score):
        reason = f"{spec.metric} {result['test']:.4f} better than champion v{current.version}'s {champion_score:.4f}"
        _promote(client, spec, result["version"], reason)
        return {**decision, "decision": "promoted", "reason": reason}
    reason = f"{spec.metric} {result['test']:.4f} not better than champion v{current.version}'s {champion_score:.4f}"
    client.set_model_version_tag(spec.registered_model, result["version"], "promotion", reason)
    return {**decision, "decision": "kept", "reason": reason}


def rescore(spec: ModelSpec, version, dataset_dir) -> float:
    """The metric of a registered model *version* on the test split of *dataset_dir*."""
    import mlflow.sklearn

    model = mlflow.sklearn.load_model(f"models:/{spec.registered_model}/{version.version}")
    return KINDS[spec.type].score(model, prepare(spec, dataset_dir), "test")


def _promote(client, spec: ModelSpec, version: str, reason: str) -> None:
    client.set_registered_model_alias(spec.registered_model, tracking.CHAMPION, version)
    client.set_model_version_tag(spec.registered_model, version, "promotion", reason)


def _safe_fingerprint(dataset_dir) -> str | None:
    try:
        return fingerprint(dataset_dir)
    except OSError:
        return None


def summary_lines(report: dict[str, Any]) -> list[str]:
    """One line per model, for logs: what happened and why."""
    lines = []
    for d in report["models"]:
        if d["decision"] == "failed":
            lines.append(f"{d['model']:<22} FAILED    {d['reason']}")
        else:
            lines.append(
                f"{d['model']:<22} {d['decision'].upper():<9} v{d['version']} {d['metric']} {d['test']:.4f} "
                f"(baseline {d['baseline']:.4f}): {d['reason']}"
            )
    return lines
