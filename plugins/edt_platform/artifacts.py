"""Run-scoped artifact locations under one base URL (``ObjectStoragePath``).

The base is ``file://`` by default and any fsspec store (``s3://bucket/prefix``, ``gs://`` …) by
configuration: the ``output_base`` param of a run, else the ``EDT_ARTIFACTS_URL`` environment
variable, else ``file://$AIRFLOW_HOME/artifacts``. A run writes under
``<base>/<dag_id>/<run_id>/`` (snapshot/, analyses/<name>/, site/), so runs never overwrite each
other and XCom carries only these URLs and a few counts.

The library writes local folders. On a local base a task writes in place (the library renames
each folder into place atomically); on a remote base it works in a temporary folder and uploads
the result only after the step succeeded, so downstream tasks never see half an output.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from airflow.sdk import ObjectStoragePath

LOCAL_PROTOCOLS = frozenset({"file", "local"})


def default_base() -> str:
    home = os.environ.get("AIRFLOW_HOME", str(Path.home() / "airflow"))
    return os.environ.get("EDT_ARTIFACTS_URL") or f"file://{Path(home).resolve() / 'artifacts'}"


def run_root(base: str | None, dag_id: str, run_id: str) -> ObjectStoragePath:
    """``<base>/<dag_id>/<run_id>`` with the run id made safe for every store and file system."""
    safe_run = re.sub(r"[^A-Za-z0-9_.-]+", "_", run_id).strip("_")
    return ObjectStoragePath(base or default_base()) / dag_id / safe_run


def is_local(path: ObjectStoragePath) -> bool:
    return path.protocol in LOCAL_PROTOCOLS


def local_path(path: ObjectStoragePath) -> Path:
    return Path(path.path)


@contextmanager
def reading(path: ObjectStoragePath) -> Iterator[Path]:
    """A local folder with the content of *path* (the folder itself when the store is local)."""
    if is_local(path):
        yield local_path(path)
        return
    with tempfile.TemporaryDirectory(prefix="edt-in-") as tmp:
        target = Path(tmp) / path.name
        _download(path, target)
        yield target


@contextmanager
def writing(path: ObjectStoragePath) -> Iterator[Path]:
    """A local folder to write *path* into; uploaded when the block succeeds (remote stores)."""
    if is_local(path):
        local = local_path(path)
        local.parent.mkdir(parents=True, exist_ok=True)
        yield local
        return
    with tempfile.TemporaryDirectory(prefix="edt-out-") as tmp:
        local = Path(tmp) / path.name
        yield local
        _upload(local, path)


def _download(source: ObjectStoragePath, target: Path) -> None:
    for item in source.rglob("*"):
        if item.is_file():
            relative = item.relative_to(source)
            destination = target / str(relative)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with item.open("rb") as src, open(destination, "wb") as dst:
                shutil.copyfileobj(src, dst)


def _upload(source: Path, target: ObjectStoragePath) -> None:
    for item in sorted(source.rglob("*")):
        if item.is_file():
            destination = target / item.relative_to(source).as_posix()
            with open(item, "rb") as src, destination.open("wb") as dst:
                shutil.copyfileobj(src, dst)
