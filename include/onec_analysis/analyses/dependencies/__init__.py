"""Dependencies analysis: one typed graph of a configuration (metadata links, calls, queries, handlers),
its fan-in/fan-out, cycles between common modules and between subsystems, edges across subsystem
boundaries, and exported methods nothing calls.

    from onec_analysis.analyses.dependencies import run
    summary = run(Path("snapshot"), Path("out/dependencies"))
"""

from .cli import add_parser
from .report import run

__all__ = ["add_parser", "run"]
