"""Run the ML dataset export: snapshot in, ``data/{train,validation,test}-00000-of-00001.parquet``,
``README.md`` (dataset card) and ``dataset.json`` (counts and the list of files) out.

The layout is the Hugging Face Hub's: ``datasets.load_dataset("parquet", data_dir=OUT/"data")`` or
``load_dataset(OUT)`` (through the card's ``configs:`` header) gives the three splits; pandas and DuckDB
read the same files directly. The output folder appears whole or not at all (``atomic_directory``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onec_analysis.analyses import duckdb_views
from onec_analysis.rules.engine import RULES_CACHE_HELP
from onec_analysis.snapshot.io import (
    SnapshotError,
    atomic_directory,
    count_by,
    read_summary,
    read_table,
    release_memory,
)

from . import card
from .records import FINDINGS_COLUMNS, dataset_schema, records, write_findings
from .split import SPLITS


def data_file(split: str) -> str:
    return f"data/{split}-00000-of-00001.parquet"


def run(
    snapshot: Path,
    out: Path,
    *,
    findings: bool = True,
    findings_from: Path | None = None,
    rules_config: Path | None = None,
    workers: int | None = None,
    rules_cache: Path | None = None,
) -> dict[str, Any]:
    """Export one record per method of *snapshot* into the folder *out* (replaced atomically).

    With *findings* each record lists the best-practice findings inside the method: read from
    *findings_from* (the best-practice analysis's output folder or its ``findings.parquet``, when that
    analysis already ran on this snapshot), else found by running the rule engine here (thresholds from
    *rules_config*, else its defaults, on *workers* processes, reusing *rules_cache*). Without, the
    findings columns are left out. The rules walk the modules from the smallest batch up: beside the
    best-practice analysis (which starts from the largest) on the same *rules_cache*, each computes
    about half of the findings and takes the other half from the cache.
    """
    started = time.perf_counter()
    snapshot, out = Path(snapshot), Path(out)
    summary = read_summary(snapshot)
    problems = count_by(read_table(snapshot, "problems", ["kind"]), "kind")
    findings_table = findings_source = None
    if findings and findings_from is not None:
        findings_table, findings_source = read_findings(Path(findings_from)), f"read from {findings_from}"
    elif findings:
        from onec_analysis.rules import check_snapshot

        # only the columns the records take: the others (paths, owners) are freed right away
        findings_table = check_snapshot(
            snapshot, rules_config, workers=workers, cache_dir=rules_cache, smallest_first=True
        ).select(FINDINGS_COLUMNS)
        findings_source = "found by running the rule engine on the snapshot" + (
            f" with {rules_config}" if rules_config else " with its default thresholds"
        )
    with atomic_directory(out) as staging, tempfile.TemporaryDirectory(prefix="onec-dataset-") as scratch:
        (staging / "data").mkdir()
        findings_file = None
        if findings_table is not None:
            # to a scratch file sorted by method: a batch of records reads its own findings from there,
            # and the table (a quarter of a gigabyte for 1C:ERP) is let go before the records are built
            findings_file = write_findings(findings_table, Path(scratch) / "findings.parquet")
            findings_table = None
            release_memory()
        written, with_code = _write_splits(snapshot, staging, findings_file)
        counts = count_records(staging, written, problems, with_code)
        if counts["findings"] is not None:
            counts["findings"]["source"] = findings_source
        outputs = [
            *({"file": data_file(s), "description": f"The {s} split: one row per method."} for s in written),
            {
                "file": "README.md",
                "description": "Dataset card: schema, counts, splits, licence, how to load.",
            },
            {
                "file": "dataset.json",
                "description": "Counts per split, configuration, module and object type.",
            },
        ]
        (staging / "README.md").write_text(
            card.render(counts, summary, dataset_schema(with_findings=findings)), encoding="utf-8"
        )
        (staging / "dataset.json").write_text(
            json.dumps({"analysis": "dataset", **counts, "outputs": outputs}, ensure_ascii=False, indent=2)
            + "\n",
            encoding="utf-8",
        )
    return {
        "methods": counts["total"],
        **{split["name"]: split["rows"] for split in counts["splits"]},
        "problems": counts["problems_total"],
        "outputs": len(outputs),
        "out": str(out),
        "seconds": round(time.perf_counter() - started, 2),
    }


def read_findings(path: Path) -> pa.Table:
    """The findings of a best-practice output (its folder or ``findings.parquet``), checked; only the
    columns the records take (``FINDINGS_COLUMNS``), so the paths and owners are never read."""
    from onec_analysis.rules import FINDINGS_SCHEMA

    file = path / "findings.parquet" if path.is_dir() else path
    try:
        schema = pq.read_schema(file)
        missing = [f.name for f in FINDINGS_SCHEMA if schema.get_field_index(f.name) < 0]
        table = None if missing else pq.read_table(file, columns=FINDINGS_COLUMNS)
    except (OSError, pa.ArrowInvalid) as exc:
        raise SnapshotError(f"{file}: cannot read best-practice findings: {exc}") from None
    if missing:
        raise SnapshotError(f"{file}: not a best-practice findings table (missing {', '.join(missing)})")
    return table.cast(pa.schema([FINDINGS_SCHEMA.field(name) for name in FINDINGS_COLUMNS]))


def _write_splits(snapshot: Path, folder: Path, findings: Path | None) -> tuple[list[str], int]:
    """Stream the records into one Parquet file per split; return the splits written (in SPLITS order)
    and how many records have code (counted here so the code is not read back just for that).

    A split without rows gets no file (``datasets`` refuses an empty split), except that an empty
    snapshot still gets an empty train file, so the schema is there to read.
    """
    schema = dataset_schema(with_findings=findings is not None)
    with_code = 0
    with ExitStack() as stack:
        writers: dict[str, pq.ParquetWriter] = {}
        for batch in records(snapshot, findings):
            with_code += batch.num_rows - batch["code"].null_count
            for split in SPLITS:
                part = batch.filter(pc.equal(batch["split"], split))
                if not part.num_rows:
                    continue
                if split not in writers:
                    writers[split] = stack.enter_context(
                        pq.ParquetWriter(folder / data_file(split), schema, compression="zstd")
                    )
                writers[split].write_table(part, row_group_size=64 * 1024)
            del batch, part  # let go of this batch before the next one is built
        if not writers:
            writers[SPLITS[0]] = stack.enter_context(pq.ParquetWriter(folder / data_file(SPLITS[0]), schema))
    return [split for split in SPLITS if split in writers], with_code


def count_records(
    folder: Path, written: list[str], problems: dict[str, int], with_code: int
) -> dict[str, Any]:
    """Counts for the card, read back from the written files with DuckDB (so the card describes the files)."""
    con = duckdb_views.connect()
    try:
        files = [str(folder / data_file(split)) for split in written]
        # DuckDB reads only the columns a query names: the big code column is never read back
        con.read_parquet(files).create_view("records")
        total, exported, with_calls, with_doc = con.execute(
            """
            SELECT count(*), count(*) FILTER (WHERE export), count(*) FILTER (WHERE calls_out_count > 0),
                   count(*) FILTER (WHERE coalesce(doc_comment, '') <> '')
            FROM records
            """
        ).fetchone()
        per_split = dict(con.execute("SELECT split, count(*) FROM records GROUP BY split").fetchall())
        findings = None
        if "findings" in con.table("records").columns:
            total_findings, methods_with = con.execute(
                "SELECT coalesce(sum(findings_count), 0), count(*) FILTER (WHERE findings_count > 0) FROM records"
            ).fetchone()
            per_rule = con.execute(
                "SELECT f.rule, count(*) AS n FROM (SELECT unnest(findings) AS f FROM records) "
                "GROUP BY 1 ORDER BY n DESC, 1"
            ).fetchall()
            findings = {
                "total": int(total_findings),
                "methods_with_findings": methods_with,
                "per_rule": [{"rule": rule, "findings": n} for rule, n in per_rule],
            }

        def grouped(column: str) -> list[dict[str, Any]]:
            rows = con.execute(
                f"SELECT coalesce({column}, '(none)') AS value, count(*) AS methods FROM records "
                "GROUP BY 1 ORDER BY methods DESC, value"
            ).fetchall()
            return [{"value": value, "methods": methods} for value, methods in rows]

        return {
            "total": total,
            "split_files": written,
            "splits": [
                {
                    "name": s,
                    "rows": per_split.get(s, 0),
                    "share": per_split.get(s, 0) / total if total else 0.0,
                }
                for s in SPLITS
            ],
            "exported": exported,
            "with_code": with_code,
            "with_doc_comment": with_doc,
            "with_calls": with_calls,
            "per_configuration": grouped("configuration"),
            "per_module_type": grouped("module_type"),
            "per_object_type": grouped("object_type"),
            "findings": findings,
            "problems": problems,
            "problems_total": sum(problems.values()),
        }
    finally:
        con.close()


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``edt-analysis dataset SNAPSHOT --out DIR``."""
    parser = subparsers.add_parser(
        "dataset",
        help="ML dataset: one Parquet record per method with code, metrics and calls, in train/validation/test",
        description="Export one record per method of a snapshot as a Parquet dataset with a dataset card.",
    )
    parser.add_argument("snapshot", type=Path, help="snapshot folder written by `edt-analysis parse`")
    parser.add_argument(
        "--out", type=Path, required=True, help="dataset folder to write (replaced atomically)"
    )
    parser.add_argument(
        "--no-findings",
        dest="findings",
        action="store_false",
        help="leave out the best-practice findings columns (skips running the rules)",
    )
    parser.add_argument(
        "--findings-from",
        type=Path,
        help="best-practice output (folder or findings.parquet) of this snapshot, instead of running the rules",
    )
    parser.add_argument(
        "--rules-config", type=Path, help="TOML file overriding the rules' default thresholds"
    )
    parser.add_argument("--workers", type=int, help="processes for the rules (default: all cores)")
    parser.add_argument("--rules-cache", type=Path, help=RULES_CACHE_HELP)
    parser.set_defaults(func=_command)
    return parser


def _command(args: argparse.Namespace) -> int:
    result = run(
        args.snapshot,
        args.out,
        findings=args.findings,
        findings_from=args.findings_from,
        rules_config=args.rules_config,
        workers=args.workers,
        rules_cache=args.rules_cache,
    )
    splits = ", ".join(f"{split} {result[split]}" for split in SPLITS)
    print(
        f"dataset: {result['methods']} methods ({splits}), {result['problems']} problems in the snapshot "
        f"-> {result['out']} ({result['seconds']:.1f}s)"
    )
    return 0
