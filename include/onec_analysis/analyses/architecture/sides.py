"""Where a method runs: client, server, both, or unknown — from its directives, else from its module.

Rules, in order (a managed application is assumed; the ordinary-application thick client is not modelled):

1. Compilation directives decide when a method has any:
   ``AtClient`` (&НаКлиенте) → client; ``AtServer`` / ``AtServerNoContext`` → server;
   ``AtClientAtServer`` / ``AtClientAtServerNoContext`` → both; a client and a server directive together → both.
2. A method without directives runs where its module runs:

   * common module: its flags in ``objects.properties`` — ``server``, ``serverCall`` or
     ``externalConnection`` make it server, ``clientManagedApplication`` makes it client, both kinds → both.
     ``clientOrdinaryApplication`` counts as client only in a module with no other flag: server modules
     carry it so that the ordinary application's thick client can compile them (386 of SSL 3.1's 738
     common modules are server + clientOrdinaryApplication), which does not make them client code of a
     managed application. No flag at all → unknown (such a module is compiled nowhere);
   * form module and command module: client (&НаКлиенте is the default in managed forms and commands);
   * managed / ordinary application module: client;
   * object, manager, record set, value manager, session, external connection, web/HTTP/integration
     service, bot and web-socket client modules: server;
   * any other module type: unknown.

``#If Server`` preprocessor branches are not evaluated: a method's side comes from the rules above only.
Module-body code outside methods is not counted (it has no method row).

``decided_by`` tells which rule applied: ``directive`` or ``module``.
"""

from __future__ import annotations

import duckdb

CLIENT_DIRECTIVES = ("AtClient",)
SERVER_DIRECTIVES = ("AtServer", "AtServerNoContext")
BOTH_DIRECTIVES = ("AtClientAtServer", "AtClientAtServerNoContext")

CLIENT_MODULE_TYPES = ("FormModule", "CommandModule", "ManagedApplicationModule", "OrdinaryApplicationModule")
SERVER_MODULE_TYPES = (
    "ObjectModule",
    "ManagerModule",
    "RecordSetModule",
    "ValueManagerModule",
    "SessionModule",
    "ExternalConnectionModule",
    "WebServiceModule",
    "HTTPServiceModule",
    "IntegrationServiceModule",
    "BotModule",
    "WebSocketClientModule",
)
COMMON_MODULE_CLIENT_FLAGS = ("clientManagedApplication",)
COMMON_MODULE_SERVER_FLAGS = ("server", "serverCall", "externalConnection")
COMMON_MODULE_THICK_CLIENT_FLAGS = ("clientOrdinaryApplication",)

SIDES = ("client", "server", "both", "unknown")


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"'{value}'" for value in values) + "]"


def _sql_tuple(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


def _any_flag(flags: tuple[str, ...]) -> str:
    return " OR ".join(f"coalesce(json_extract(o.properties, '$.{flag}')::BOOLEAN, false)" for flag in flags)


def create_module_sides(con: duckdb.DuckDBPyConnection) -> None:
    """View ``module_sides(module_id, module_side)``: where directive-less code of each module runs.

    Needs views ``modules(module_id, object_id, module_type)`` and ``objects(object_id, properties)``.
    """
    con.execute(
        f"""
        CREATE OR REPLACE VIEW module_sides AS
        SELECT m.module_id,
               CASE
                 WHEN m.module_type = 'CommonModule' THEN
                   CASE
                     WHEN ({_any_flag(COMMON_MODULE_CLIENT_FLAGS)}) AND ({_any_flag(COMMON_MODULE_SERVER_FLAGS)})
                       THEN 'both'
                     WHEN {_any_flag(COMMON_MODULE_CLIENT_FLAGS)} THEN 'client'
                     WHEN {_any_flag(COMMON_MODULE_SERVER_FLAGS)} THEN 'server'
                     WHEN {_any_flag(COMMON_MODULE_THICK_CLIENT_FLAGS)} THEN 'client'
                     ELSE 'unknown'
                   END
                 WHEN m.module_type IN {_sql_tuple(CLIENT_MODULE_TYPES)} THEN 'client'
                 WHEN m.module_type IN {_sql_tuple(SERVER_MODULE_TYPES)} THEN 'server'
                 ELSE 'unknown'
               END AS module_side
        FROM modules m LEFT JOIN objects o ON o.object_id = m.object_id
        """
    )


def create_method_sides(con: duckdb.DuckDBPyConnection) -> None:
    """View ``method_sides(method_id, side, decided_by)`` over views ``methods`` and ``module_sides``."""
    directives = "coalesce(me.directives, [])"
    has_client = f"list_has_any({directives}, {_sql_list(CLIENT_DIRECTIVES)})"
    has_server = f"list_has_any({directives}, {_sql_list(SERVER_DIRECTIVES)})"
    has_both = f"list_has_any({directives}, {_sql_list(BOTH_DIRECTIVES)})"
    con.execute(
        f"""
        CREATE OR REPLACE VIEW method_sides AS
        SELECT me.method_id,
               CASE
                 WHEN {has_both} OR ({has_client} AND {has_server}) THEN 'both'
                 WHEN {has_client} THEN 'client'
                 WHEN {has_server} THEN 'server'
                 ELSE coalesce(ms.module_side, 'unknown')
               END AS side,
               CASE WHEN {has_both} OR {has_client} OR {has_server} THEN 'directive' ELSE 'module' END
                 AS decided_by
        FROM methods me LEFT JOIN module_sides ms ON ms.module_id = me.module_id
        """
    )
