"""ML dataset: one Parquet record per method (code, signature, metrics, calls out) in deterministic
train / validation / test splits, with a Hugging Face dataset card.
"""

from .report import add_parser, run

__all__ = ["add_parser", "run"]
