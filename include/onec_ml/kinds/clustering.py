"""Near-duplicate methods across the configuration: TF-IDF of method bodies, DBSCAN on cosine distance.

Methods of fewer than ``MIN_NCLOC`` lines (5) are left out: two four-line getters alike are not a
refactoring target. The declaration line is dropped, so copies renamed or with other parameters
still match. The vocabulary is learned on the train split; ``eps`` is tuned on the validation split.

Silhouette counts every method of the split: a method DBSCAN leaves alone is its own cluster
(silhouette 0), so a grouping scores well only by putting many methods into tight groups, and a
model that finds nothing scores 0. The baseline groups methods by name on the same vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score

from onec_ml.data import SPLITS, Splits

COLUMNS = ["method_id", "name", "code", "ncloc"]
OPTIONS: frozenset[str] = frozenset()
MIN_NCLOC = 5


@dataclass
class Prepared:
    frames: dict[str, pd.DataFrame]
    vectorizer: TfidfVectorizer

    def __getitem__(self, split: str) -> pd.DataFrame:
        return self.frames[split]


class NearDuplicateFinder(BaseEstimator):
    """A fitted vocabulary and a DBSCAN: ``groups(bodies)`` labels each body (-1: no duplicate)."""

    def __init__(self, vectorizer: TfidfVectorizer, dbscan) -> None:
        self.vectorizer = vectorizer
        self.dbscan = dbscan

    def vectors(self, bodies: pd.Series):
        return self.vectorizer.transform(bodies)

    def groups(self, bodies: pd.Series) -> np.ndarray:
        # a fresh DBSCAN per call: the model keeps its settings, not the last split's core samples
        return clone(self.dbscan).fit_predict(self.vectors(bodies))


def body(code: str) -> str:
    return code.split("\n", 1)[1] if "\n" in code else code


def prepare(splits: Splits) -> Prepared:
    min_ncloc = MIN_NCLOC
    frames = {}
    for split in SPLITS:
        frame = splits[split]
        frame = frame[frame["code"].notna() & (frame["ncloc"] >= min_ncloc)]
        splits.require(split, len(frame), f"method with code of {min_ncloc} lines or more")
        frames[split] = frame.assign(body=frame["code"].map(body)).reset_index(drop=True)
    vectorizer = TfidfVectorizer(
        token_pattern=r"(?u)\w+", min_df=2, sublinear_tf=True, max_features=20_000, dtype=np.float32
    )
    try:
        vectorizer.fit(frames["train"]["body"])
    except ValueError as exc:  # empty vocabulary
        raise splits.fail("train", f"no vocabulary in the method bodies ({exc})") from None
    return Prepared(frames, vectorizer)


def fit(spec, point, prepared: Prepared) -> NearDuplicateFinder:
    return NearDuplicateFinder(prepared.vectorizer, spec.make_estimator(point))


def silhouette(vectors, labels: np.ndarray) -> float:
    """Silhouette (cosine) with every unclustered method as its own singleton cluster."""
    labels = np.asarray(labels).copy()
    noise = np.flatnonzero(labels < 0)
    labels[noise] = labels.max(initial=-1) + 1 + np.arange(len(noise))
    if not 2 <= len(np.unique(labels)) <= len(labels) - 1:
        return 0.0
    return float(silhouette_score(vectors, labels, metric="cosine"))


def score(model: NearDuplicateFinder, prepared: Prepared, split: str) -> float:
    bodies = prepared[split]["body"]
    return silhouette(model.vectors(bodies), model.groups(bodies))


def baseline(prepared: Prepared, split: str) -> float:
    frame = prepared[split]
    codes = pd.factorize(frame["name"])[0]
    shared = np.bincount(codes)[codes] > 1
    return silhouette(prepared.vectorizer.transform(frame["body"]), np.where(shared, codes, -1))


def report(model: NearDuplicateFinder, prepared: Prepared, folder: Path) -> dict[str, float]:
    """``duplicate_groups.csv``: every group of the whole configuration (all splits), biggest saving first."""
    frame = pd.concat([prepared[s] for s in SPLITS], ignore_index=True)
    frame["group"] = model.groups(frame["body"])
    grouped = frame[frame["group"] >= 0].copy()
    sizes = grouped.groupby("group")["method_id"].transform("size")
    # lines a team would delete by keeping one copy of each group
    grouped["redundant_ncloc"] = grouped.groupby("group")["ncloc"].transform("sum") - grouped.groupby(
        "group"
    )["ncloc"].transform("max")
    grouped["methods_in_group"] = sizes
    grouped = grouped.sort_values(["redundant_ncloc", "group", "method_id"], ascending=[False, True, True])
    # renumber groups in that order, so group 1 is the first to look at
    order = {group: number for number, group in enumerate(grouped["group"].drop_duplicates(), 1)}
    grouped["group"] = grouped["group"].map(order)
    grouped[["group", "methods_in_group", "redundant_ncloc", "method_id", "name", "ncloc"]].to_csv(
        folder / "duplicate_groups.csv", index=False
    )
    per_group = grouped.drop_duplicates("group")
    return {
        "duplicate_groups": float(len(per_group)),
        "methods_in_duplicate_groups": float(len(grouped)),
        "redundant_ncloc": float(per_group["redundant_ncloc"].sum()),
    }
