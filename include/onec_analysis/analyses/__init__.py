"""The analyses of a snapshot: architecture, dependencies, best-practice findings and the ML dataset.

Each analysis is a package with ``run(snapshot, out, **options) -> dict`` that reads only the snapshot
folder and writes its own output folder atomically, so the analyses can run at the same time on
different machines; and ``add_parser(subparsers)`` for its ``edt-analysis`` subcommand.
"""
