"""Throughput of the BSL module parser on a whole configuration: prints MB/s (UTF-8 bytes) and Mchar/s.

Usage: .venv/bin/python benchmarks/bench_bsl.py [--repeat N] [ROOT]   (default: the extracted ssl_edt corpus)
Reading and decoding are outside the timed part: the orchestrator does them anyway. The figure is
computed from the process's CPU time (shared CI machines are often loaded, which stretches wall time
but not the work done); wall time is printed beside it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from onec_analysis.bsl import CallContext, parse_module

DEFAULT_ROOT = Path("/tmp/onec-corpus-cache")


def _root(given: str | None) -> Path:
    if given:
        return Path(given)
    found = sorted(DEFAULT_ROOT.glob("ssl_edt-*"))
    if not found:
        sys.exit("no ssl_edt corpus extracted: run the corpus tests once, or pass ROOT")
    return found[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?")
    parser.add_argument("--repeat", type=int, default=1, help="runs; the fastest is reported")
    args = parser.parse_args()
    root = _root(args.root)
    modules = []
    for path in sorted(root.rglob("*.bsl")):
        data = path.read_bytes()
        if data.startswith(b"\xff\xff\xff\x7f"):
            continue
        modules.append((path, len(data), data.decode("utf-8-sig").replace("\r\n", "\n")))
    common = (
        frozenset(p.name for p in (root / "src" / "CommonModules").iterdir())
        if (root / "src" / "CommonModules").is_dir()
        else frozenset(p.stem for p in root.rglob("CommonModules/*.xml"))
    )
    size = sum(n for _, n, _ in modules)
    chars = sum(len(t) for _, _, t in modules)
    best = None
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        methods = calls = tables = 0
        for path, _, text in modules:
            ctx = CallContext(common_modules=common, own_object_id=path.parent.name)
            mp = parse_module(
                text, module_id=str(path), object_id=path.parent.name, configuration="bench", ctx=ctx
            )
            methods += len(mp.methods)
            calls += len(mp.calls)
            tables += len(mp.query_tables)
        cpu = time.process_time() - cpu_started
        wall = time.perf_counter() - started
        best = (cpu, wall) if best is None or cpu < best[0] else best
    print(
        f"{len(modules)} modules, {size / 1e6:.1f} MB, {chars / 1e6:.1f} Mchar: {methods} methods, {calls} calls, {tables} query tables"
    )
    cpu, wall = best
    print(
        f"CPU {cpu:.2f} s (wall {wall:.2f} s): {size / 1e6 / cpu:.1f} MB/s, {chars / 1e6 / cpu:.1f} Mchar/s per core"
    )


if __name__ == "__main__":
    main()
