"""Where a method runs — server, client or both — from the tokens of its code.

Labels come from the compilation directive: &НаСервере / &НаСервереБезКонтекста → server,
&НаКлиенте → client, &НаКлиентеНаСервере(БезКонтекста) → both. A method without a directive is left
out: where it runs is decided by its module (a common module's Server/Client flags, an object module
is server-side), not by its code, and the dataset carries no module flags. The directive line sits
above the ``Процедура`` line, so the code a model sees never contains the answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import classification_report, confusion_matrix, f1_score
from sklearn.pipeline import Pipeline

from onec_ml.data import SPLITS, Splits

COLUMNS = ["method_id", "code", "directives"]
OPTIONS: frozenset[str] = frozenset()
CONTEXTS = ("server", "client", "both")
_SIDE = {
    "AtServer": {"server"},
    "AtServerNoContext": {"server"},
    "AtClient": {"client"},
    "AtClientAtServer": {"client", "server"},
    "AtClientAtServerNoContext": {"client", "server"},
}
# Identifiers (Cyrillic or Latin) of two characters or more; numbers carry no context.
TOKENS = r"(?u)[^\W\d]\w+"


def context_of(directives) -> str | None:
    sides = set().union(*(_SIDE.get(d, set()) for d in directives)) if len(directives) else set()
    if not sides:
        return None
    return "both" if len(sides) == 2 else sides.pop()


def prepare(splits: Splits) -> dict[str, pd.DataFrame]:
    prepared = {}
    for split in SPLITS:
        frame = splits[split]
        labelled = pd.DataFrame(
            {
                "method_id": frame["method_id"],
                "code": frame["code"],
                "context": frame["directives"].map(context_of),
            }
        ).dropna(subset=["code", "context"])
        splits.require(split, len(labelled), "method with code and a compilation directive")
        prepared[split] = labelled.reset_index(drop=True)
    classes = prepared["train"]["context"].nunique()
    if classes < 2:
        raise splits.fail("train", f"one execution context only ({prepared['train']['context'].iloc[0]})")
    return prepared


def fit(spec, point, prepared):
    train = prepared["train"]
    model = Pipeline(
        [
            (
                "tokens",
                TfidfVectorizer(token_pattern=TOKENS, min_df=2, sublinear_tf=True, max_features=50_000),
            ),
            ("classifier", spec.make_estimator(point)),
        ]
    )
    return model.fit(train["code"], train["context"])


def score(model, prepared, split: str) -> float:
    frame = prepared[split]
    return float(f1_score(frame["context"], model.predict(frame["code"]), average="macro"))


def baseline(prepared, split: str) -> float:
    train, frame = prepared["train"], prepared[split]
    dummy = DummyClassifier(strategy="most_frequent").fit(train[["code"]], train["context"])
    return float(f1_score(frame["context"], dummy.predict(frame[["code"]]), average="macro"))


def report(model, prepared, folder: Path) -> dict[str, float]:
    test = prepared["test"]
    predicted = model.predict(test["code"])
    labels = [c for c in CONTEXTS if c in set(test["context"]) | set(predicted)]
    matrix = confusion_matrix(test["context"], predicted, labels=labels)
    (folder / "confusion_matrix.json").write_text(
        json.dumps({"labels": labels, "rows_true_columns_predicted": matrix.tolist()}, indent=2) + "\n"
    )
    text = classification_report(test["context"], predicted, labels=labels, digits=3, zero_division=0)
    (folder / "classification_report.txt").write_text(text)
    per_class = f1_score(test["context"], predicted, labels=labels, average=None, zero_division=0)
    return {f"test_f1_{label}": float(value) for label, value in zip(labels, per_class, strict=True)}
