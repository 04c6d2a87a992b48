"""Model specifications as data: ``models.yaml`` read into ``ModelSpec`` objects, checked.

A spec is small and JSON-able (``to_dict``/``from_dict``), so a DAG can map tasks over specs and
pass them through XCom; the estimator class is imported only when a model is built.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sklearn.model_selection import ParameterGrid

SPECS_FILE = Path(__file__).with_name("models.yaml")
TYPES = ("classification", "regression", "clustering", "ranking", "recommendation")
_REQUIRED = ("name", "type", "estimator", "metric", "greater_is_better", "baseline")


class SpecError(ValueError):
    """A model specification that cannot be used: the file, the entry and what is wrong."""


@dataclass(frozen=True)
class ModelSpec:
    name: str
    type: str
    estimator: str
    metric: str
    greater_is_better: bool
    baseline: str
    description: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    grid: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How errors and logs name the model: ``classification model 'execution_context'``."""
        return f"{self.type} model {self.name!r}"

    @property
    def registered_model(self) -> str:
        return f"onec_ml.{self.name}"

    @property
    def experiment(self) -> str:
        return f"onec_ml/{self.name}"

    def grid_points(self) -> list[dict[str, Any]]:
        return list(ParameterGrid(self.grid)) if self.grid else [{}]

    def option(self, point: dict[str, Any], key: str, default: Any) -> Any:
        """A model-type option (not an estimator argument) from the grid point, else the fixed params."""
        return point.get(key, self.params.get(key, default))

    def make_estimator(self, point: dict[str, Any]):
        """The estimator with the fixed params and the grid point's estimator arguments."""
        cls = _import(self.estimator)
        accepted = set(cls().get_params())
        arguments = {**self.params, **point}
        return cls(**{k: v for k, v in arguments.items() if k in accepted})

    def better(self, score: float, than: float | None) -> bool:
        if than is None:
            return True
        return score > than if self.greater_is_better else score < than

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        return cls(**data)


def load_specs(path: Path | str | None = None) -> list[ModelSpec]:
    """Every spec of *path* (default: ``models.yaml`` beside this module), in file order, checked."""
    from onec_ml.kinds import KINDS

    path = Path(path) if path else SPECS_FILE
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"{path}: cannot read model specs: {exc}") from None
    if not isinstance(entries, list) or not entries:
        raise SpecError(f"{path}: expected a list of model specs")
    specs, names = [], set()
    for number, entry in enumerate(entries, 1):
        where = f"{path}: entry {number}"
        if not isinstance(entry, dict):
            raise SpecError(f"{where}: expected a mapping, got {type(entry).__name__}")
        missing = [key for key in _REQUIRED if key not in entry]
        if missing:
            raise SpecError(f"{where}: missing {', '.join(missing)}")
        unknown = set(entry) - set(ModelSpec.__dataclass_fields__)
        if unknown:
            raise SpecError(f"{where} ({entry['name']}): unknown keys {sorted(unknown)}")
        spec = ModelSpec(**entry)
        if spec.type not in TYPES:
            raise SpecError(f"{where} ({spec.name}): type {spec.type!r} is not one of {', '.join(TYPES)}")
        if spec.name in names:
            raise SpecError(f"{where}: name {spec.name!r} is used twice")
        names.add(spec.name)
        try:
            accepted = set(_import(spec.estimator)().get_params())
        except (ImportError, AttributeError, TypeError) as exc:
            raise SpecError(f"{where} ({spec.name}): estimator {spec.estimator!r}: {exc}") from None
        options = KINDS[spec.type].OPTIONS
        bad = [key for key in [*spec.params, *spec.grid] if key not in accepted | options]
        if bad:
            raise SpecError(
                f"{where} ({spec.name}): {', '.join(bad)} is neither an argument of {spec.estimator} "
                f"nor an option of {spec.type} ({', '.join(sorted(options)) or 'none'})"
            )
        if any(not isinstance(values, list) or not values for values in spec.grid.values()):
            raise SpecError(f"{where} ({spec.name}): every grid entry must be a non-empty list")
        specs.append(spec)
    return specs


def _import(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)
