"""The snapshot contract: every table ``edt-analysis parse`` writes, with its columns.

Everything downstream (analyses, docs, ML dataset, DAGs) reads only these tables, so this module is
the one place a column is named. Conventions:

* Ids are the 1C full names people already use, in English type words:
  object ``Catalog.Банки``; nested subsystem ``Subsystem.A.Subsystem.B``;
  module ``Catalog.Банки.ObjectModule``, ``Catalog.Банки.Form.ФормаЭлемента.Module``,
  ``CommonModule.ОбщегоНазначения.Module``, ``Configuration.SessionModule``;
  method ``<module_id>.<MethodName>`` (``#<line>`` appended only when a module declares a name twice,
  e.g. in ``#Если`` branches). In a workspace, ids of an extension are prefixed ``<configuration>:``.
* Every table is written sorted by its key columns, so a sharded parse merges into exactly the
  bytes of a single run.
* Lines are 1-based and inclusive.
"""

from __future__ import annotations

import pyarrow as pa

SNAPSHOT_FORMAT_VERSION = 1

_param = pa.struct(
    [
        pa.field("name", pa.string()),
        pa.field("by_value", pa.bool_()),  # Знач / Val
        pa.field("default", pa.string()),  # source text of the default value, null when none
    ]
)

TABLES: dict[str, pa.Schema] = {
    # One row per metadata object (top-level objects and nested subsystems).
    "objects": pa.schema(
        [
            ("object_id", pa.string()),  # Catalog.Банки
            ("configuration", pa.string()),  # name of the configuration or extension it belongs to
            ("type", pa.string()),  # singular English type: Catalog, CommonModule, Subsystem …
            ("type_folder", pa.string()),  # EDT/Designer folder name: Catalogs, CommonModules …
            ("name", pa.string()),
            ("synonym", pa.string()),  # first synonym (ru when present), null when none
            ("comment", pa.string()),
            ("uuid", pa.string()),
            ("parent_id", pa.string()),  # enclosing subsystem for nested subsystems, else null
            ("belonging", pa.string()),  # Own | Adopted (extensions)
            ("properties", pa.string()),  # JSON object of notable flags (common-module flags, …)
            ("path", pa.string()),  # source file, relative to the source root, '/' separated
        ]
    ),
    # Attributes, dimensions, resources, tabular-section attributes …, with their types.
    "attributes": pa.schema(
        [
            ("object_id", pa.string()),
            ("configuration", pa.string()),
            ("kind", pa.string()),  # Attribute | Dimension | Resource | TabularSectionAttribute | …
            ("tabular_section", pa.string()),  # null unless kind is TabularSectionAttribute
            ("name", pa.string()),
            ("synonym", pa.string()),
            (
                "types",
                pa.list_(pa.string()),
            ),  # normalised: CatalogRef.X, String, Number, Date, Boolean, DefinedType.X …
        ]
    ),
    "modules": pa.schema(
        [
            ("module_id", pa.string()),
            ("configuration", pa.string()),
            ("object_id", pa.string()),  # owner object (Configuration for application/session modules)
            ("module_type", pa.string()),  # ObjectModule | ManagerModule | FormModule | CommonModule | …
            ("form", pa.string()),  # form name for FormModule, else null
            ("command", pa.string()),  # command name for CommandModule, else null
            ("path", pa.string()),
            ("size_bytes", pa.int64()),
            ("lines", pa.int32()),
            ("ncloc", pa.int32()),  # non-comment, non-blank lines
            ("protected", pa.bool_()),  # no source (FF FF FF 7F) — text is empty
            ("sha256", pa.string()),  # of the file's bytes
        ]
    ),
    # Module source text, normalised to LF, BOM removed. Separate table: the big column.
    "module_texts": pa.schema([("module_id", pa.string()), ("text", pa.large_string())]),
    "methods": pa.schema(
        [
            ("method_id", pa.string()),
            ("module_id", pa.string()),
            ("object_id", pa.string()),
            ("configuration", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),  # Procedure | Function
            ("is_async", pa.bool_()),
            ("export", pa.bool_()),
            (
                "directives",
                pa.list_(pa.string()),
            ),  # AtClient, AtServer, AtServerNoContext, AtClientAtServerNoContext, AtClientAtServer
            (
                "annotations",
                pa.list_(pa.string()),
            ),  # extension annotations as written: Перед("X"), After("Y") …
            ("params", pa.list_(_param)),
            ("region", pa.string()),  # enclosing #Region path "Outer/Inner", null outside regions
            ("preprocessor", pa.string()),  # enclosing #If conditions joined with " И ", null when none
            (
                "doc_comment",
                pa.string(),
            ),  # the // block right above the method (or its directives), without the slashes
            ("start_line", pa.int32()),  # line of the Procedure/Function keyword
            ("end_line", pa.int32()),  # line of EndProcedure/EndFunction
            ("ncloc", pa.int32()),
            ("cyclomatic", pa.int32()),
            ("cognitive", pa.int32()),
        ]
    ),
    # Object -> object links found in metadata.
    "references": pa.schema(
        [
            ("source_id", pa.string()),
            ("target_id", pa.string()),  # object id, or CommonModule.M.Method for handlers/job methods
            ("kind", pa.string()),  # attribute_type | register_records | based_on | subsystem_content |
            # event_subscription_source | event_subscription_handler | scheduled_job_method |
            # defined_type | exchange_plan_content | characteristic_type | …
            ("via", pa.string()),  # attribute name or property that holds the link, null when none
            ("configuration", pa.string()),
        ]
    ),
    # Method -> method calls found in code (common modules, managers, the same module).
    "calls": pa.schema(
        [
            ("caller_method_id", pa.string()),  # null for module-body code outside methods
            ("caller_module_id", pa.string()),
            (
                "callee_object_id",
                pa.string(),
            ),  # CommonModule.X, Catalog.Y (manager), or the caller's own object
            ("callee_method", pa.string()),
            ("callee_kind", pa.string()),  # common_module | common_module_dynamic | manager | local
            ("line", pa.int32()),
            ("configuration", pa.string()),
        ]
    ),
    # Metadata tables named in query texts.
    "query_tables": pa.schema(
        [
            ("module_id", pa.string()),
            ("method_id", pa.string()),
            (
                "table_name",
                pa.string(),
            ),  # as written: Справочник.Банки.ТабличнаяЧасть / РегистрСведений.X.СрезПоследних
            ("object_id", pa.string()),  # resolved object: Catalog.Банки, InformationRegister.X
            ("line", pa.int32()),
            ("configuration", pa.string()),
        ]
    ),
    "form_handlers": pa.schema(
        [
            ("form_id", pa.string()),  # Catalog.X.Form.F or CommonForm.F
            ("module_id", pa.string()),  # the form's module
            ("item", pa.string()),  # null for form-level events, else the item name
            ("event", pa.string()),  # OnCreateAtServer, OnChange …
            ("method_name", pa.string()),
            ("method_id", pa.string()),  # resolved method, null when the module lacks it
            ("configuration", pa.string()),
        ]
    ),
    "problems": pa.schema(
        [
            ("path", pa.string()),
            (
                "kind",
                pa.string(),
            ),  # protected_module | malformed_xml | not_utf8 | unknown_type | unknown_element |
            # symlink_outside | unreadable | …
            ("message", pa.string()),
            ("line", pa.int32()),
        ]
    ),
}

TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "objects": ("object_id",),
    "attributes": ("object_id", "kind", "tabular_section", "name"),
    "modules": ("module_id",),
    "module_texts": ("module_id",),
    "methods": ("method_id",),
    "references": ("source_id", "kind", "target_id", "via"),
    "calls": ("caller_module_id", "line", "callee_object_id", "callee_method", "caller_method_id"),
    "query_tables": ("module_id", "line", "table_name"),
    "form_handlers": ("form_id", "item", "event", "method_name"),
    "problems": ("path", "kind", "line", "message"),
}
