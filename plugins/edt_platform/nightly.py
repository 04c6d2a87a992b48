"""The list of configurations the nightly runs analyse (``config/nightly.yaml``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FILE = Path(__file__).resolve().parents[2] / "config" / "nightly.yaml"


def config_file() -> Path:
    return Path(os.environ.get("EDT_NIGHTLY_CONFIG") or DEFAULT_FILE)


def run_confs(path: Path | None = None) -> list[dict[str, Any]]:
    """One ``edt_analysis`` run conf per listed configuration; ValueError naming the file otherwise."""
    path = Path(path or config_file())
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: cannot read the nightly configuration list: {exc}") from None
    entries = (document or {}).get("configurations") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{path}: expected a non-empty list under 'configurations'")
    confs = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("source"), str) or not entry["source"]:
            raise ValueError(f"{path}: entry {number} needs a 'source' folder")
        shards = entry.get("shards", 1)
        if not isinstance(shards, int) or not 1 <= shards <= 64:
            raise ValueError(
                f"{path}: entry {number}: shards must be a whole number from 1 to 64, got {shards!r}"
            )
        source = Path(entry["source"])
        if not source.is_absolute():
            source = (path.parent / source).resolve()
        confs.append({"source": str(source), "shards": shards})
    return confs
