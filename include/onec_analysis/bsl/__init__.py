"""Parser of 1C:Enterprise BSL module text (regex-based, pure Python, never imports Airflow).

``parse_module(text, module_id=…, object_id=…, configuration=…, ctx=CallContext(…))`` returns a
``ModuleParse`` with the module's ``lines`` and ``ncloc`` and rows for the snapshot tables
``methods``, ``calls`` and ``query_tables`` (columns exactly as in ``onec_analysis.snapshot.schema``;
methods and calls are held as columns, ``method_columns`` and ``call_columns``, and given as rows by
``methods`` and ``calls``).
``onec_analysis.bsl.lexer`` holds the reusable token stream (see its docstring).
"""

from .module import CallContext, ModuleParse, parse_module

__all__ = ["CallContext", "ModuleParse", "parse_module"]
