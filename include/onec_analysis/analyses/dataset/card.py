"""The dataset card (README.md with a Hugging Face YAML header), rendered from ``card.md.j2``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
from jinja2 import Environment, FileSystemLoader, StrictUndefined

FINDINGS_INCLUDED = (
    "Findings: `findings` lists what the best-practice rules (`onec_analysis.rules`, the engine of the "
    "best-practice analysis) found inside each method's lines; here they were {source}. Findings about a "
    "whole module or about module-body code outside methods belong to no method and are not in this dataset."
)
FINDINGS_LEFT_OUT = (
    "Findings: this export was made without the best-practice rules (`--no-findings`), so there is no "
    "`findings` column; the best-practice analysis lists them by `method_id`."
)


def _size_category(rows: int) -> str:
    # The Hub's size_categories buckets.
    for bound, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if rows < bound:
            return label
    return "1M<n<10M"


def render(counts: dict[str, Any], summary: dict[str, Any], schema: pa.Schema) -> str:
    """The card's Markdown for the *counts* of ``report.count_records``, the snapshot *summary* and the
    records' *schema* (field meanings from its metadata)."""
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML
    )
    configurations = summary.get("configurations") or []
    names = ", ".join(c.get("name", "?") for c in configurations) or "configuration"
    fields = [
        {
            "name": f.name,
            "type": str(f.type),
            "doc": (f.metadata or {}).get(b"doc", b"").decode().replace("|", "\\|"),
        }
        for f in schema
    ]
    return environment.get_template("card.md.j2").render(
        title=f"Methods of {names} (1C:Enterprise)",
        configurations=configurations,
        source_format=summary.get("format", "unknown"),
        reader_version=summary.get("reader_version", "unknown"),
        size_category=_size_category(counts["total"]),
        fields=fields,
        findings_note=(
            FINDINGS_INCLUDED.format(source=counts["findings"].get("source") or "computed")
            if counts["findings"] is not None
            else FINDINGS_LEFT_OUT
        ),
        **counts,
    )
