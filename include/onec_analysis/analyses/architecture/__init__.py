"""Architecture report: objects per type, the subsystem tree, extension footprint, code volume,
client/server split and complexity distributions of a snapshot (JSON, Parquet and charts).
"""

from .report import add_parser, run

__all__ = ["add_parser", "run"]
