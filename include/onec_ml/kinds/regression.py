"""A method's cognitive complexity from what every tool counts, and where it surprises.

Features: lines (ncloc), cyclomatic complexity, parameters, calls out, function or procedure,
export, async, module type and the indentation depth of the code (nesting is what cognitive
complexity adds on top of branching). The methods whose complexity exceeds the prediction most are
harder to read than their size and branching explain: ``surprising_methods.csv`` lists them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyRegressor
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from onec_ml.data import SPLITS, Splits

COLUMNS = [
    "method_id", "code", "kind", "module_type", "export", "is_async", "params", "ncloc", "cyclomatic",
    "cognitive", "calls_out_count",
]  # fmt: skip
OPTIONS: frozenset[str] = frozenset()
NUMERIC = [
    "ncloc", "cyclomatic", "param_count", "calls_out_count", "is_function", "export", "is_async",
    "max_indent", "mean_indent",
]  # fmt: skip
TARGET = "cognitive"


def _indentation(code: str | None) -> tuple[int, float]:
    """Deepest and mean indentation (tabs, or four spaces) of the body lines, relative to the declaration."""
    if not code:
        return 0, 0.0
    depths = []
    for line in code.split("\n")[1:-1]:
        stripped = line.lstrip("\t ")
        if not stripped or stripped.startswith("//"):
            continue
        prefix = line[: len(line) - len(stripped)]
        depths.append(prefix.count("\t") + prefix.count(" ") // 4)
    if not depths:
        return 0, 0.0
    base = min(depths)
    return max(depths) - base, float(np.mean(depths)) - base


def features(frame: pd.DataFrame) -> pd.DataFrame:
    indent = [_indentation(code) for code in frame["code"]]
    return pd.DataFrame(
        {
            "method_id": frame["method_id"],
            "module_type": frame["module_type"].fillna("(none)"),
            "ncloc": frame["ncloc"],
            "cyclomatic": frame["cyclomatic"],
            "param_count": frame["params"].map(len),
            "calls_out_count": frame["calls_out_count"],
            "is_function": (frame["kind"] == "Function").astype(int),
            "export": frame["export"].astype(int),
            "is_async": frame["is_async"].astype(int),
            "max_indent": [depth for depth, _ in indent],
            "mean_indent": [mean for _, mean in indent],
            TARGET: frame[TARGET],
        }
    ).dropna(subset=["ncloc", "cyclomatic", TARGET])


def prepare(splits: Splits) -> dict[str, pd.DataFrame]:
    prepared = {}
    for split in SPLITS:
        prepared[split] = features(splits[split]).reset_index(drop=True)
        splits.require(split, len(prepared[split]), "method with ncloc, cyclomatic and cognitive complexity")
    return prepared


def fit(spec, point, prepared):
    train = prepared["train"]
    model = Pipeline(
        [
            (
                "columns",
                ColumnTransformer(
                    [
                        (
                            "module_type",
                            OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                            ["module_type"],
                        )
                    ],
                    remainder="passthrough",
                ),
            ),
            ("regressor", spec.make_estimator(point)),
        ]
    )
    return model.fit(train[["module_type", *NUMERIC]], train[TARGET])


def score(model, prepared, split: str) -> float:
    frame = prepared[split]
    return float(mean_absolute_error(frame[TARGET], model.predict(frame[["module_type", *NUMERIC]])))


def baseline(prepared, split: str) -> float:
    train, frame = prepared["train"], prepared[split]
    dummy = DummyRegressor(strategy="median").fit(train[NUMERIC], train[TARGET])
    return float(mean_absolute_error(frame[TARGET], dummy.predict(frame[NUMERIC])))


def report(model, prepared, folder: Path, top: int = 100) -> dict[str, float]:
    frame = pd.concat([prepared[s].assign(split=s) for s in SPLITS], ignore_index=True)
    frame["predicted"] = model.predict(frame[["module_type", *NUMERIC]]).round(1)
    frame["excess"] = frame[TARGET] - frame["predicted"]
    surprising = frame.sort_values("excess", ascending=False).head(top)
    surprising[
        ["method_id", "split", TARGET, "predicted", "excess", "ncloc", "cyclomatic", "max_indent"]
    ].to_csv(folder / "surprising_methods.csv", index=False)
    return {"methods_scored": float(len(frame))}
