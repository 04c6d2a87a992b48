"""Common-module methods by review priority within their module, against a held-out signal.

Features: the method's place in the call graph of the whole configuration (callers, distinct
calling objects, PageRank, calls out) and its size and complexity. Relevance, never a feature: the
severity-weighted best-practice findings of the method that are *not* thresholds on those metrics
(privileged mode, queries in loops, transactions outside try, synchronous calls …) — what a reviewer
would have to fix. One query per common module: NDCG@10 averaged over the modules of the split
that have at least two methods and one relevant method. Churn is not in the dataset yet; when it is,
it joins the features.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.metrics import ndcg_score

from onec_ml.data import SPLITS, Splits

COLUMNS = [
    "method_id", "object_id", "module_type", "name", "export", "is_async", "params", "doc_comment", "ncloc",
    "cyclomatic", "cognitive", "calls_out", "calls_out_count", "findings",
]  # fmt: skip
OPTIONS: frozenset[str] = frozenset()
FEATURES = [
    "callers", "calling_objects", "pagerank", "calls_out_count", "callees", "ncloc", "cyclomatic", "cognitive",
    "param_count", "export", "is_async", "has_doc_comment",
]  # fmt: skip
SEVERITY_WEIGHT = {"BLOCKER": 16, "CRITICAL": 8, "MAJOR": 4, "MINOR": 2, "INFO": 1}
# Rules that only restate size, complexity or layout: they are features, not findings to predict.
METRIC_RULES = frozenset(
    {
        "LineLength", "CognitiveComplexity", "CyclomaticComplexity", "MethodSize", "NumberOfParams",
        "NumberOfOptionalParams", "ConsecutiveEmptyLines", "PublicMethodsDescription",
    }
)  # fmt: skip
K = 10


@dataclass
class Prepared:
    frames: dict[str, pd.DataFrame]

    def __getitem__(self, split: str) -> pd.DataFrame:
        return self.frames[split]


def relevance(findings) -> int:
    return int(sum(SEVERITY_WEIGHT.get(f["severity"], 0) for f in findings if f["rule"] not in METRIC_RULES))


def graph_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Call-graph features of every method of *frame* (all splits: the graph is the configuration's)."""
    keys = frame["object_id"] + "." + frame["name"]  # how calls_out names a callee
    graph = nx.DiGraph()
    graph.add_nodes_from(keys)
    graph.add_edges_from(
        (caller, callee)
        for caller, calls in zip(keys, frame["calls_out"], strict=True)
        for callee in calls
        if callee != caller
    )
    pagerank = nx.pagerank(graph)
    calling_objects = {
        node: len({caller.rsplit(".", 1)[0] for caller in graph.predecessors(node)}) for node in graph.nodes
    }
    return pd.DataFrame(
        {
            "callers": keys.map(dict(graph.in_degree())).to_numpy(),
            "calling_objects": keys.map(calling_objects).to_numpy(),
            "pagerank": keys.map(pagerank).to_numpy() * len(graph),  # 1.0 = an average method
            "callees": keys.map(dict(graph.out_degree())).to_numpy(),
        },
        index=frame.index,
    )


def prepare(splits: Splits) -> Prepared:
    every = pd.concat([splits[s].assign(split=s) for s in SPLITS], ignore_index=True)
    every = every.join(graph_features(every))
    common = every[every["module_type"] == "CommonModule"]
    common = common.assign(
        param_count=common["params"].map(len),
        export=common["export"].astype(int),
        is_async=common["is_async"].astype(int),
        has_doc_comment=common["doc_comment"].fillna("").ne("").astype(int),
        relevance=common["findings"].map(relevance),
    )
    frames = {}
    for split in SPLITS:
        frame = common[common["split"] == split].reset_index(drop=True)
        splits.require(split, len(frame), "common-module method")
        if split != "train":
            splits.require(
                split, len(_queries(frame)), "common module with two methods and a relevant finding"
            )
        frames[split] = frame[["method_id", "object_id", *FEATURES, "relevance"]]
    return Prepared(frames)


def _queries(frame: pd.DataFrame) -> list[pd.Index]:
    return [
        rows.index
        for _, rows in frame.groupby("object_id", sort=True)
        if len(rows) >= 2 and rows["relevance"].max() > 0
    ]


def mean_ndcg(frame: pd.DataFrame, scores: np.ndarray) -> float:
    scores = pd.Series(np.asarray(scores, dtype=float), index=frame.index)
    values = [
        ndcg_score([frame.loc[rows, "relevance"].to_numpy()], [scores.loc[rows].to_numpy()], k=K)
        for rows in _queries(frame)
    ]
    return float(np.mean(values)) if values else 0.0


def fit(spec, point, prepared: Prepared):
    train = prepared["train"]
    return spec.make_estimator(point).fit(train[FEATURES], train["relevance"])


def score(model, prepared: Prepared, split: str) -> float:
    frame = prepared[split]
    return mean_ndcg(frame, model.predict(frame[FEATURES]))


def baseline(prepared: Prepared, split: str) -> float:
    frame = prepared[split]
    return mean_ndcg(frame, frame["ncloc"].to_numpy())


def report(model, prepared: Prepared, folder: Path, top: int = 200) -> dict[str, float]:
    """``review_priority.csv``: the common-module methods of the configuration, highest priority first."""
    frame = pd.concat([prepared[s] for s in SPLITS], ignore_index=True)
    frame["priority"] = model.predict(frame[FEATURES]).round(3)
    frame.sort_values("priority", ascending=False).head(top)[
        ["method_id", "priority", "relevance", "callers", "calling_objects", "ncloc", "cognitive"]
    ].to_csv(folder / "review_priority.csv", index=False)
    return {"test_queries": float(len(_queries(prepared["test"])))}
