"""Common-module methods a method is likely to call, from co-occurrence in the call graph.

Item-based nearest neighbours: each common-module method is a vector of the train methods that
call it; ``NearestNeighbors`` (cosine) finds its neighbours, and a method's suggestions are the
neighbours of what it already calls, weighted by similarity (plus a little popularity, tuned).

Evaluation on held-out calls: for each validation/test method with two or more distinct
common-module calls known to the train split, a deterministic half (by a hash of its id) is shown
and the rest is hidden; recall@10 = hidden calls found in the top 10 / min(10, hidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from hashlib import blake2b
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.preprocessing import MultiLabelBinarizer

from onec_ml.data import SPLITS, Splits

COLUMNS = ["method_id", "calls_out"]
OPTIONS = frozenset({"popularity_weight"})
PREFIX = "CommonModule."
K = 10


@dataclass
class Prepared:
    baskets: list[list[str]]  # train methods' distinct common-module calls
    queries: dict[str, pd.DataFrame]  # validation/test: method_id, shown, hidden
    popularity: pd.Series  # train call counts per common-module method


def common_module_calls(calls) -> list[str]:
    return sorted({call for call in calls if call.startswith(PREFIX)})


def _held_out(method_id: str, calls: list[str]) -> tuple[list[str], list[str]]:
    seed = int.from_bytes(blake2b(method_id.encode("utf-8"), digest_size=8).digest(), "big")
    order = np.random.default_rng(seed).permutation(len(calls))
    hidden = max(1, len(calls) // 2)
    return [calls[i] for i in sorted(order[hidden:])], [calls[i] for i in sorted(order[:hidden])]


def prepare(splits: Splits) -> Prepared:
    train = splits["train"]["calls_out"].map(common_module_calls)
    baskets = [calls for calls in train if calls]
    splits.require("train", len(baskets), "method calling a common module")
    popularity = pd.Series([c for calls in baskets for c in calls]).value_counts()
    known = set(popularity.index)
    queries = {}
    for split in SPLITS[1:]:
        rows = []
        for method_id, calls in zip(splits[split]["method_id"], splits[split]["calls_out"], strict=True):
            calls = [c for c in common_module_calls(calls) if c in known]
            if len(calls) >= 2:
                shown, hidden = _held_out(method_id, calls)
                rows.append((method_id, shown, hidden))
        splits.require(
            split, len(rows), "method with two or more common-module calls known to the train split"
        )
        queries[split] = pd.DataFrame(rows, columns=["method_id", "shown", "hidden"])
    return Prepared(baskets, queries, popularity)


class CallRecommender(BaseEstimator):
    """Item-item similarity from a fitted ``NearestNeighbors`` over the items' caller vectors."""

    def __init__(self, neighbors, popularity_weight: float = 0.0) -> None:
        self.neighbors = neighbors
        self.popularity_weight = popularity_weight

    def fit(self, baskets: list[list[str]]) -> CallRecommender:
        self.items_ = MultiLabelBinarizer(sparse_output=True).fit(baskets)
        by_item = self.items_.transform(baskets).T.tocsr().astype(np.float32)  # items × callers
        n_items = by_item.shape[0]
        k = min(self.neighbors.n_neighbors + 1, n_items)
        self.neighbors.set_params(n_neighbors=k).fit(by_item)
        distance, index = self.neighbors.kneighbors(by_item)
        # row i: the neighbours of item i with their cosine similarity (an item is not its own neighbour)
        similarity = np.where(index == np.arange(n_items)[:, None], 0.0, 1.0 - distance)
        self.similarity_ = sp.csr_matrix(
            (similarity.ravel(), index.ravel(), np.arange(0, n_items * k + 1, k)), shape=(n_items, n_items)
        )
        self.popularity_ = np.asarray(by_item.sum(axis=1)).ravel()
        return self

    def recommend(self, shown: list[list[str]], k: int = K) -> list[list[str]]:
        classes = self.items_.classes_
        index = {item: i for i, item in enumerate(classes)}
        rows = [[index[c] for c in calls if c in index] for calls in shown]
        known = sp.csr_matrix(
            (np.ones(sum(map(len, rows)), np.float32), np.concatenate([r for r in rows] + [[]]).astype(int),
             np.cumsum([0] + [len(r) for r in rows])), shape=(len(rows), len(classes)),
        )  # fmt: skip
        scores = np.asarray((known @ self.similarity_).todense()) + self.popularity_weight * self.popularity_
        scores[known.nonzero()] = -np.inf
        top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return [list(classes[row]) for row in top]


def recall_at_k(suggested: list[list[str]], hidden: pd.Series, k: int = K) -> float:
    values = [len(set(s[:k]) & set(h)) / min(k, len(h)) for s, h in zip(suggested, hidden, strict=True)]
    return float(np.mean(values)) if values else 0.0


def fit(spec, point, prepared: Prepared) -> CallRecommender:
    weight = float(spec.option(point, "popularity_weight", 0.0))
    return CallRecommender(spec.make_estimator(point), popularity_weight=weight).fit(prepared.baskets)


def score(model: CallRecommender, prepared: Prepared, split: str) -> float:
    queries = prepared.queries[split]
    return recall_at_k(model.recommend(list(queries["shown"])), queries["hidden"])


def baseline(prepared: Prepared, split: str) -> float:
    queries = prepared.queries[split]
    ranked = list(prepared.popularity.index[: K + 64])  # enough to skip the shown ones
    suggested = [[c for c in ranked if c not in set(shown)][:K] for shown in queries["shown"]]
    return recall_at_k(suggested, queries["hidden"])


def report(model: CallRecommender, prepared: Prepared, folder: Path, examples: int = 50) -> dict[str, float]:
    """``suggestions.csv``: for some test methods, what was shown, what was hidden, what was suggested."""
    queries = prepared.queries["test"].head(examples)
    suggested = model.recommend(list(queries["shown"]))
    pd.DataFrame(
        {
            "method_id": queries["method_id"],
            "shown": queries["shown"].map(" ".join),
            "hidden": queries["hidden"].map(" ".join),
            "suggested": [" ".join(s) for s in suggested],
        }
    ).to_csv(folder / "suggestions.csv", index=False)
    return {"items": float(len(model.items_.classes_)), "test_queries": float(len(prepared.queries["test"]))}
