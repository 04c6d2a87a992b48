"""Throughput of the metadata reader on one core: MB/s of metadata XML (.mdo/.xml, forms, rights).

Usage: .venv/bin/python benchmarks/bench_metadata.py [ROOT]   (default: the extracted ssl_edt corpus)
Runs list_units + read_unit for every unit in this process and divides the bytes of the XML files the
units read by the CPU time spent (CPU, not wall: the figure is per core, and a shared machine's I/O
waits would otherwise dominate). Module text (.bsl) is not counted: the orchestrator reads it.
Forms and role rights, the two bulky inputs, are then timed on their own.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from onec_analysis.metadata import detect_source, forms, list_units, read_unit
from onec_analysis.metadata.extract import RowBuilder
from onec_analysis.metadata.model import UnitResult
from onec_analysis.metadata.reader import _read_rights

DEFAULT_ROOT = Path("/tmp/onec-corpus-cache")
_XML_SUFFIXES = (".mdo", ".xml", ".form", ".rights")


def _root() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    found = sorted(DEFAULT_ROOT.glob("ssl_edt-*"))
    if not found:
        sys.exit("no ssl_edt corpus extracted: run the corpus tests once, or pass ROOT")
    return found[-1]


def _kind(rel: str) -> str:
    if rel.endswith(("/Form.form", "/Ext/Form.xml")):
        return "forms"
    if rel.endswith(("/Rights.rights", "/Ext/Rights.xml")):
        return "rights"
    return "objects"


def main() -> None:
    root = _root()
    source = detect_source(root)
    sizes = {"forms": [], "rights": [], "objects": []}
    rows = handlers = 0
    cpu = time.process_time()
    for project in source.projects:
        for unit in list_units(project):
            result = read_unit(project, unit)
            rows += len(result.objects) + len(result.attributes) + len(result.references)
            handlers += len(result.form_handlers)
    total_cpu = time.process_time() - cpu
    for project in source.projects:
        for unit in list_units(project):
            for rel in unit.files:
                if rel.endswith(_XML_SUFFIXES):
                    sizes[_kind(rel)].append(project.root / rel)
    mb = {kind: sum(p.stat().st_size for p in paths) / 1e6 for kind, paths in sizes.items()}
    total_mb = sum(mb.values())
    print(f"{root}: {len(source.projects)} project(s), {total_mb:.1f} MB metadata XML")
    print(f"  {rows} object/attribute/reference rows, {handlers} form handlers")
    print(f"  everything: {total_cpu:.2f} s CPU -> {total_mb / total_cpu:.1f} MB/s per core")

    blobs = [p.read_bytes() for p in sizes["forms"]]
    reader = forms.edt_handlers if source.projects[0].format == "edt" else forms.designer_handlers
    cpu = time.process_time()
    for blob in blobs:
        reader(blob)
    forms_cpu = time.process_time() - cpu
    print(f"  forms:   {len(blobs)} files, {mb['forms']:.1f} MB, {mb['forms'] / forms_cpu:.1f} MB/s per core")

    project = source.projects[0]
    cpu = time.process_time()
    for path in sizes["rights"]:
        _read_rights(project, RowBuilder(project, UnitResult()), path, "Role.X")
    rights_cpu = time.process_time() - cpu
    print(
        f"  rights:  {len(sizes['rights'])} files, {mb['rights']:.1f} MB, {mb['rights'] / rights_cpu:.1f} MB/s per core"
    )

    rest_cpu = max(total_cpu - forms_cpu - rights_cpu, 1e-9)
    print(
        f"  objects: {len(sizes['objects'])} files, {mb['objects']:.1f} MB, ≈{mb['objects'] / rest_cpu:.1f} MB/s per core"
        " (the remainder: listing, object XML, rows, module discovery)"
    )


if __name__ == "__main__":
    main()
