"""What the four analyses left in ``--analyses DIR``, read without trusting it blindly.

Each analysis writes ``DIR/<name>/`` with a summary (``architecture.json``, ``dependencies.json``,
``best_practices.json``; the dataset a ``README.md`` card) whose ``outputs`` list names every file it
wrote with a one-line description. The site shows exactly that: charts are copied into the site and
embedded, tables are previewed, and an analysis whose folder (or summary) is missing gets a page that
says so — never invented content.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow.parquet as pq

#: Analysis folder name -> (summary file, title shown on the site).
ANALYSES: dict[str, tuple[str, str]] = {
    "architecture": ("architecture.json", "Архитектура"),
    "dependencies": ("dependencies.json", "Зависимости"),
    "best_practices": ("best_practices.json", "Лучшие практики"),
    "dataset": ("README.md", "Датасет"),
}
IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"}
PREVIEW_ROWS = 25


@dataclass
class OutputFile:
    file: str  # relative to the analysis folder, '/' separated
    description: str
    exists: bool
    site_path: str | None = None  # where the site copied it (images)
    rows: int | None = None  # parquet tables
    columns: list[str] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.file).suffix.lower()

    @property
    def is_image(self) -> bool:
        return self.suffix in IMAGE_SUFFIXES


@dataclass
class Analysis:
    name: str
    title: str
    folder: Path | None
    summary_file: str
    present: bool = False
    problem: str | None = None  # why it is not shown, in one line
    summary: dict[str, Any] = field(default_factory=dict)
    card: str = ""  # the dataset's README.md
    outputs: list[OutputFile] = field(default_factory=list)

    def output(self, file: str) -> OutputFile | None:
        return next((item for item in self.outputs if item.file == file and item.exists), None)

    @property
    def images(self) -> list[OutputFile]:
        """Charts to embed: SVG when both an SVG and a PNG of the same chart exist."""
        shown = [item for item in self.outputs if item.exists and item.is_image]
        svg_stems = {str(PurePosixPath(item.file).with_suffix("")) for item in shown if item.suffix == ".svg"}
        return [
            item
            for item in shown
            if item.suffix == ".svg" or str(PurePosixPath(item.file).with_suffix("")) not in svg_stems
        ]

    @property
    def tables(self) -> list[OutputFile]:
        return [item for item in self.outputs if item.exists and item.suffix == ".parquet"]


def read_analyses(analyses: Path | None, site: Path) -> dict[str, Analysis]:
    """Read every analysis folder under *analyses*; copy their charts into ``site/assets/<name>/``."""
    return {name: _read_one(name, analyses, site) for name in ANALYSES}


def _read_one(name: str, analyses: Path | None, site: Path) -> Analysis:
    summary_file, title = ANALYSES[name]
    folder = None if analyses is None else Path(analyses) / name
    result = Analysis(name=name, title=title, folder=folder, summary_file=summary_file)
    if folder is None:
        result.problem = "каталог результатов анализов не передан (--analyses)"
        return result
    if not folder.is_dir():
        result.problem = f"нет папки {folder} — анализ «{name}» не запускался или его результат не передан"
        return result
    path = folder / summary_file
    if not path.is_file():
        result.problem = f"в папке {folder} нет {summary_file} — результат анализа неполон"
        return result
    try:
        text = path.read_text(encoding="utf-8")
        if summary_file.endswith(".json"):
            result.summary = json.loads(text)
            if not isinstance(result.summary, dict):
                raise ValueError("the top level is not an object")
        else:
            result.card = text
            listing = folder / "dataset.json"  # the dataset lists its files beside the card
            if listing.is_file():
                result.summary = json.loads(listing.read_text(encoding="utf-8"))
                if not isinstance(result.summary, dict):
                    raise ValueError(f"{listing.name}: the top level is not an object")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        result.problem = f"{path}: не читается ({exc})"
        return result
    result.present = True
    result.outputs = _outputs(result, folder, site)
    return result


def _outputs(analysis: Analysis, folder: Path, site: Path) -> list[OutputFile]:
    listed = analysis.summary.get("outputs")
    if isinstance(listed, dict):
        entries = [(str(file), str(description)) for file, description in listed.items()]
    elif isinstance(listed, list):
        entries = [
            (str(item.get("file") or item.get("path") or item.get("name")), str(item.get("description", "")))
            for item in listed
            if isinstance(item, dict) and (item.get("file") or item.get("path") or item.get("name"))
        ]
    else:
        entries = []
    outputs = []
    for file, description in entries:
        relative = PurePosixPath(file)
        inside = not relative.is_absolute() and ".." not in relative.parts
        source = folder / relative if inside else None
        item = OutputFile(file=file, description=description, exists=bool(source and source.is_file()))
        if item.exists and item.is_image:
            target = site / "assets" / analysis.name / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            item.site_path = f"assets/{analysis.name}/{relative.as_posix()}"
        elif item.exists and item.suffix == ".parquet" and analysis.name != "dataset":
            _preview(item, source)  # (dataset rows are method code: listed, not previewed)
        outputs.append(item)
    return outputs


def _preview(item: OutputFile, source: Path) -> None:
    try:
        parquet = pq.ParquetFile(source)
        item.rows = parquet.metadata.num_rows
        item.columns = parquet.schema_arrow.names
        if item.rows:
            batch = next(parquet.iter_batches(batch_size=PREVIEW_ROWS))
            item.preview = batch.to_pylist()
    except (OSError, ValueError, StopIteration) as exc:
        item.description = f"{item.description} (не читается: {exc})"
