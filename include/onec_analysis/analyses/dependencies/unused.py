"""Exported methods nobody calls, as far as static reading can tell.

Which exports: those of common modules and manager modules by default (``export_module_types``).
Exports of object, record-set and form modules are reached through an instance
(``Объект.Метод()``, ``Форма.Метод()``) whose type code does not spell out, so every one of them
would look unused; they are left out unless asked for.

What saves an export (the ``saver`` kinds; names compared case-insensitively, as BSL does):

* ``call``: ``Модуль.Метод()``, ``ОбщегоНазначения.ОбщийМодуль("Модуль").Метод()``,
  ``Справочники.X.Метод()`` (the calls table);
* ``local_call``: a call from the method's own module (recursion aside);
* ``event_subscription``, ``scheduled_job``: the handler / method named in metadata;
* ``form_handler``: a form event bound to the method;
* ``string_reference``: a literal ``"Модуль.Метод"`` or ``"Справочники.X.Метод"`` anywhere
  (``ДлительныеОперации.ВыполнитьВФоне``, ``ВыполнитьМетодКонфигурации``, SSL update handlers);
* ``notify_description``: a literal ``"Метод"`` followed by a common module's name, the shape of
  ``Новый ОписаниеОповещения("Метод", ИмяОбщегоМодуля)``;
* ``own_module_literal``: a literal ``"Метод"`` in the method's own module
  (``ОписаниеОповещения("Метод", ЭтотОбъект)``, ``ПодключитьОбработчикОжидания("Метод", 1)``);
* ``global_literal``: a literal ``"Метод"`` anywhere, for methods of global common modules (idle
  and notification handlers attached from other modules must live there);
* ``global_call``: an unqualified ``Метод(`` anywhere beyond the declarations of that name, for
  methods of global common modules (the calls table marks an unqualified call ``local`` only when
  the module declares the name). Looked for only for the exports nothing else saved.

Literals inside comments count too: that errs towards keeping a method.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from onec_analysis.metadata.types import TYPE_FOLDERS

from .mentions import scan_literals, scan_unqualified_calls

DEFAULT_EXPORT_MODULE_TYPES = ("CommonModule", "ManagerModule")

SAVER_KINDS = (
    "call",
    "local_call",
    "event_subscription",
    "scheduled_job",
    "form_handler",
    "string_reference",
    "notify_description",
    "own_module_literal",
    "global_literal",
    "global_call",
)

NOT_VISIBLE = (
    "method names built at run time and passed to Выполнить/Вычислить/Execute/Eval",
    'modules reached through variables other than ОбщегоНазначения.ОбщийМодуль("…")',
    "callers outside the configuration: external data processors and reports, other configurations, COM/OData/web clients",
    "ОписаниеОповещения/NotifyDescription whose owner is a variable (only the own module and common-module names resolve)",
    "manager methods called through a manager found at run time, e.g. ОбщегоНазначения.МенеджерОбъектаПоПолномуИмени(…).ПриОпределенииНастроекПечати() — SSL's callback interfaces",
    "exports of object, record-set, form and command modules, called through instances (not examined by default)",
)

# Collections of managers as code names them: Справочники.X.Метод() / Catalogs.X.Method().
_RUSSIAN_MANAGER_COLLECTIONS = {
    "Справочники": "Catalog",
    "Документы": "Document",
    "ЖурналыДокументов": "DocumentJournal",
    "Перечисления": "Enum",
    "Отчеты": "Report",
    "Обработки": "DataProcessor",
    "ПланыВидовХарактеристик": "ChartOfCharacteristicTypes",
    "ПланыСчетов": "ChartOfAccounts",
    "ПланыВидовРасчета": "ChartOfCalculationTypes",
    "РегистрыСведений": "InformationRegister",
    "РегистрыНакопления": "AccumulationRegister",
    "РегистрыБухгалтерии": "AccountingRegister",
    "РегистрыРасчета": "CalculationRegister",
    "БизнесПроцессы": "BusinessProcess",
    "Задачи": "Task",
    "ПланыОбмена": "ExchangePlan",
    "Константы": "Constant",
    "ХранилищаНастроек": "SettingsStorage",
}
MANAGER_COLLECTIONS = {
    **_RUSSIAN_MANAGER_COLLECTIONS,
    **{
        folder: type_
        for type_, folder in TYPE_FOLDERS.items()
        if type_ in _RUSSIAN_MANAGER_COLLECTIONS.values()
    },
}


def _sql_list(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def _collections_values() -> str:
    return ", ".join(f"('{word.lower()}', '{type_}')" for word, type_ in sorted(MANAGER_COLLECTIONS.items()))


def _exports_sql(export_module_types: tuple[str, ...]) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE TEMP TABLE dep_exports AS
        SELECT me.method_id, me.module_id, me.object_id, md.module_type, me.name, lower(me.name) AS lname,
               me.kind, me.directives, me.start_line, me.configuration
        FROM snap_methods me JOIN snap_modules md ON md.module_id = me.module_id
        WHERE me.export AND md.module_type IN {_sql_list(export_module_types)}
        """,
        # Modules code can name: common modules by their name, managers by type and name.
        """
        CREATE OR REPLACE TEMP TABLE dep_named_modules AS
        SELECT md.module_id, md.module_type, o.object_id, o.type, lower(o.name) AS lname,
               coalesce(regexp_matches(o.properties, '"global"\\s*:\\s*true'), false) AS is_global
        FROM snap_modules md JOIN snap_objects o ON o.object_id = md.object_id
        WHERE md.module_type IN ('CommonModule', 'ManagerModule')
        """,
    ]


def _savers_sql() -> str:
    return f"""
        CREATE OR REPLACE TEMP TABLE dep_savers AS
        WITH local_names AS (
            SELECT DISTINCT caller_module_id AS module_id, lower(callee_method) AS lname
            FROM snap_calls
            WHERE callee_kind = 'local' AND callee_method IS NOT NULL
              -- recursion is no caller
              AND lower(callee_method) <> coalesce(lower(regexp_extract(caller_method_id, '([^.#]+)(#\\d+)?$', 1)), '')
        ),
        object_calls AS (
            SELECT DISTINCT callee_object_id, callee_kind, lower(callee_method) AS lname
            FROM snap_calls WHERE callee_kind IN ('common_module', 'common_module_dynamic', 'manager')
        ),
        handlers AS (
            SELECT CASE kind WHEN 'event_subscription_handler' THEN 'event_subscription' ELSE 'scheduled_job' END AS saver,
                   regexp_replace(target_id, '\\.[^.]+$', '') AS object_id,
                   lower(regexp_extract(target_id, '[^.]+$')) AS lname
            FROM snap_references
            WHERE kind IN ('event_subscription_handler', 'scheduled_job_method') AND len(string_split(target_id, '.')) >= 3
        ),
        literals AS (SELECT module_id, string_split(literal, '.') AS p, owner FROM dep_literals),
        collections(word, type) AS (VALUES {_collections_values()})
        SELECT n.module_id, c.lname, 'call' AS saver
        FROM object_calls c JOIN dep_named_modules n ON n.object_id = c.callee_object_id
         AND n.module_type = CASE c.callee_kind WHEN 'manager' THEN 'ManagerModule' ELSE 'CommonModule' END
        UNION ALL
        SELECT module_id, lname, 'local_call' FROM local_names
        UNION ALL
        SELECT n.module_id, h.lname, h.saver
        FROM handlers h JOIN dep_named_modules n ON n.object_id = h.object_id AND n.module_type = 'CommonModule'
        UNION ALL
        SELECT module_id, lower(method_name), 'form_handler' FROM snap_form_handlers WHERE method_name IS NOT NULL
        UNION ALL
        SELECT me.module_id, lower(me.name), 'form_handler'
        FROM snap_form_handlers f JOIN snap_methods me ON me.method_id = f.method_id
        UNION ALL
        SELECT n.module_id, l.p[2], 'string_reference'
        FROM literals l JOIN dep_named_modules n ON n.module_type = 'CommonModule' AND n.lname = l.p[1]
        WHERE len(l.p) = 2
        UNION ALL
        SELECT n.module_id, l.p[3], 'string_reference'
        FROM literals l JOIN collections k ON k.word = l.p[1]
        JOIN dep_named_modules n ON n.module_type = 'ManagerModule' AND n.type = k.type AND n.lname = l.p[2]
        WHERE len(l.p) = 3
        UNION ALL
        SELECT n.module_id, l.p[1], 'notify_description'
        FROM literals l JOIN dep_named_modules n ON n.module_type = 'CommonModule' AND n.lname = l.owner
        WHERE len(l.p) = 1
        UNION ALL
        SELECT e.module_id, e.lname, 'own_module_literal'
        FROM dep_exports e JOIN literals l ON l.module_id = e.module_id AND len(l.p) = 1 AND l.p[1] = e.lname
        UNION ALL
        SELECT e.module_id, e.lname, 'global_literal'
        FROM dep_exports e JOIN dep_named_modules n ON n.module_id = e.module_id AND n.is_global
        WHERE e.lname IN (SELECT p[1] FROM literals WHERE len(p) = 1)
        """


# Exports of global modules that nothing above saved: the only names worth the unqualified-call scan.
_GLOBAL_IN_DOUBT = """
    SELECT DISTINCT e.name FROM dep_exports e
    JOIN dep_named_modules n ON n.module_id = e.module_id AND n.is_global AND n.module_type = 'CommonModule'
    WHERE NOT EXISTS (SELECT 1 FROM dep_savers s WHERE s.module_id = e.module_id AND s.lname = e.lname)
    ORDER BY 1
"""

# A mention beyond the module's own declarations of that name is a call.
_GLOBAL_CALLS = """
    INSERT INTO dep_savers
    SELECT n.module_id, u.lname, 'global_call'
    FROM dep_unqualified u
    LEFT JOIN (SELECT module_id, lower(name) AS lname, count(*) AS declarations FROM snap_methods GROUP BY ALL) d
        USING (module_id, lname)
    JOIN dep_named_modules n ON n.is_global AND n.module_type = 'CommonModule'
    WHERE u.mentions > coalesce(d.declarations, 0)
"""


def find_unused_exports(
    connection: duckdb.DuckDBPyConnection, export_module_types: tuple[str, ...] = DEFAULT_EXPORT_MODULE_TYPES
) -> tuple[pa.Table, dict[str, int], int]:
    """(unused exports sorted by method id, exports saved per saver kind, exports examined)."""
    for statement in _exports_sql(tuple(export_module_types)):
        connection.execute(statement)
    scan_literals(connection)
    connection.execute(_savers_sql())
    in_doubt = [name for (name,) in connection.execute(_GLOBAL_IN_DOUBT).fetchall()]
    scan_unqualified_calls(connection, in_doubt)
    connection.execute(_GLOBAL_CALLS)
    unused = connection.sql(
        """
        SELECT method_id, module_id, object_id, module_type, name, kind, directives, start_line, configuration
        FROM dep_exports e
        WHERE NOT EXISTS (SELECT 1 FROM dep_savers s WHERE s.module_id = e.module_id AND s.lname = e.lname)
        ORDER BY method_id
        """
    ).to_arrow_table()
    saved = dict(
        connection.sql(
            """
            SELECT s.saver, count(DISTINCT e.method_id)
            FROM dep_exports e JOIN dep_savers s ON s.module_id = e.module_id AND s.lname = e.lname
            GROUP BY s.saver
            """
        ).fetchall()
    )
    [(examined,)] = connection.execute("SELECT count(*) FROM dep_exports").fetchall()
    return unused, {kind: saved.get(kind, 0) for kind in SAVER_KINDS}, examined
