"""Rows for one metadata object, built from a format-neutral node (see ``nodes``)."""

from __future__ import annotations

import json

from .model import Project, UnitResult
from .types import TYPE_FOLDERS, object_id_of

# Flags that EDT writes only when true and Designer always writes; we keep only the true ones.
_BOOL_FLAGS: dict[str, tuple[str, ...]] = {
    "CommonModule": (
        "global", "clientManagedApplication", "server", "externalConnection", "clientOrdinaryApplication",
        "serverCall", "privileged",
    ),
    "ScheduledJob": ("use", "predefined"),
}  # fmt: skip
# Enumerated properties: kept when not at their default (EDT omits defaults).
_ENUM_PROPS: dict[str, dict[str, str | None]] = {
    "CommonModule": {"returnValuesReuse": "DontUse"},
    "EventSubscription": {"event": None},
    "ScheduledJob": {},
}

# Property -> reference kind. Values are read as metadata references and resolved to objects.
_LINK_PROPS: dict[str, str] = {
    "registerRecords": "register_records",
    "basedOn": "based_on",
    "owners": "catalog_owner",
    "registeredDocuments": "document_journal_document",
    "documents": "sequence_document",
    "location": "functional_option_location",
    "chartOfAccounts": "chart_of_accounts",
    "chartOfCalculationTypes": "chart_of_calculation_types",
    "baseCalculationTypes": "base_calculation_types",
    "extDimensionTypes": "ext_dimension_types",
    "characteristicExtValues": "characteristic_values",
    "task": "business_process_task",
    "addressing": "task_addressing",
    "schedule": "calculation_schedule",
    "group": "command_group",
    "variantsStorage": "settings_storage",
    "use": "functional_options_parameter_use",
    "defaultForm": "default_form",
    "defaultObjectForm": "default_form",
    "defaultListForm": "default_form",
    "defaultChoiceForm": "default_form",
    "defaultRecordForm": "default_form",
    "defaultRoles": "default_role",
}
# Per type, what the content list means.
_CONTENT_KIND = {
    "Subsystem": "subsystem_content",
    "FunctionalOption": "functional_option_content",
    "FilterCriterion": "filter_criterion_content",
    "ExchangePlan": "exchange_plan_content",
}
# Types whose own "type" property is the value type of the object itself.
_VALUE_TYPE_KIND = {
    "Constant": "attribute_type",
    "SessionParameter": "attribute_type",
    "CommonAttribute": "attribute_type",
    "FilterCriterion": "attribute_type",
    "DefinedType": "defined_type",
    "ChartOfCharacteristicTypes": "characteristic_type",
}
# Attribute-like child collections -> attributes.kind.
_ATTRIBUTE_KINDS = (
    ("attributes", "Attribute"),
    ("dimensions", "Dimension"),
    ("resources", "Resource"),
    ("accountingFlags", "AccountingFlag"),
    ("extDimensionAccountingFlags", "ExtDimensionAccountingFlag"),
    ("addressingAttributes", "AddressingAttribute"),
)


def properties_json(type_: str, node) -> str:
    props: dict[str, object] = {}
    for flag in _BOOL_FLAGS.get(type_, ()):
        value = node.text(flag)
        if value == "true":
            props[flag] = True
    for prop, default in _ENUM_PROPS.get(type_, {}).items():
        value = node.text(prop)
        if value is not None and value != default:
            props[prop] = value
    return json.dumps(props, ensure_ascii=False, sort_keys=True)


class RowBuilder:
    """Collects rows for one unit; knows the project's id prefix and how to resolve targets."""

    def __init__(self, project: Project, result: UnitResult):
        self.project = project
        self.result = result
        self._seen_refs: set[tuple] = set()

    # ids ------------------------------------------------------------------------------------
    def oid(self, bare_id: str) -> str:
        return self.project.id_prefix + bare_id

    def target(self, bare_target: str) -> str:
        """Prefix a target only when the extension defines that object itself."""
        if self.project.id_prefix and object_id_of(bare_target) in self.project.own_objects:
            return self.project.id_prefix + bare_target
        return bare_target

    # rows -----------------------------------------------------------------------------------
    def add_object(self, *, bare_id, type_, name, node, path, parent_bare_id=None, properties=None) -> None:
        belonging = "Adopted" if node.text("objectBelonging") == "Adopted" else "Own"
        self.result.objects.append(
            {
                "object_id": self.oid(bare_id),
                "configuration": self.project.name,
                "type": type_,
                "type_folder": TYPE_FOLDERS.get(type_, type_),
                "name": name,
                "synonym": node.synonym(),
                "comment": node.text("comment"),
                "uuid": node.uuid,
                "parent_id": self.oid(parent_bare_id) if parent_bare_id else None,
                "belonging": belonging,
                "properties": properties if properties is not None else properties_json(type_, node),
                "path": path,
            }
        )

    def add_reference(self, source_bare: str, ref: str, kind: str, via: str | None) -> None:
        target_object = object_id_of(ref)
        if target_object is None or target_object == source_bare:
            return
        if kind in ("event_subscription_handler", "scheduled_job_method"):
            bare_target = ref.strip()  # CommonModule.M.Method: the method is the point
        else:
            bare_target = target_object
        row = (self.oid(source_bare), self.target(bare_target), kind, via)
        if row in self._seen_refs:
            return
        self._seen_refs.add(row)
        self.result.references.append(
            {
                "source_id": row[0],
                "target_id": row[1],
                "kind": kind,
                "via": via,
                "configuration": self.project.name,
            }
        )

    def add_attribute(
        self, bare_id: str, kind: str, tabular_section: str | None, node, via_name: str
    ) -> None:
        types = node.types()
        self.result.attributes.append(
            {
                "object_id": self.oid(bare_id),
                "configuration": self.project.name,
                "kind": kind,
                "tabular_section": tabular_section,
                "name": node.text("name"),
                "synonym": node.synonym(),
                "types": types,
            }
        )
        for type_name in types:
            self.add_reference(bare_id, type_name, "attribute_type", via_name)

    # one object -----------------------------------------------------------------------------
    def object_contents(self, bare_id: str, type_: str, node) -> None:
        """Attributes and references of an object (everything but the object row itself)."""
        for collection, kind in _ATTRIBUTE_KINDS:
            for child in node.children(collection):
                self.add_attribute(bare_id, kind, None, child, child.text("name") or "")
        for section in node.children("tabularSections"):
            section_name = section.text("name")
            for child in section.children("attributes"):
                via = f"{section_name}.{child.text('name')}"
                self.add_attribute(bare_id, "TabularSectionAttribute", section_name, child, via)
        if type_ in _VALUE_TYPE_KIND:
            types = node.types()
            self.result.attributes.append(
                {
                    "object_id": self.oid(bare_id),
                    "configuration": self.project.name,
                    "kind": "ValueType",
                    "tabular_section": None,
                    "name": node.text("name"),
                    "synonym": None,
                    "types": types,
                }
            )
            for type_name in types:
                self.add_reference(bare_id, type_name, _VALUE_TYPE_KIND[type_], "type")
        for prop, kind in _LINK_PROPS.items():
            for value in node.values(prop):
                self.add_reference(bare_id, value, kind, prop)
        if type_ == "CommonAttribute":
            for value in node.common_attribute_content():
                self.add_reference(bare_id, value, "common_attribute_content", "content")
        elif type_ in _CONTENT_KIND:
            for value in node.values("content"):
                self.add_reference(bare_id, value, _CONTENT_KIND[type_], "content")
        if type_ == "EventSubscription":
            for value in node.types("source") or node.values("source"):
                self.add_reference(bare_id, value, "event_subscription_source", "source")
            if handler := node.text("handler"):
                self.add_reference(bare_id, handler, "event_subscription_handler", "handler")
        if type_ == "ScheduledJob" and (method := node.text("methodName")):
            self.add_reference(bare_id, method, "scheduled_job_method", "methodName")
        for source in node.characteristic_sources():
            self.add_reference(bare_id, source, "characteristic_type", "characteristics")
        for command in node.children("commands"):
            via = f"Command.{command.text('name')}"
            for value in command.types("commandParameterType"):
                self.add_reference(bare_id, value, "command_parameter_type", via)
            for value in command.values("group"):
                self.add_reference(bare_id, value, "command_group", via)
        if type_ == "CommonCommand":
            for value in node.types("commandParameterType"):
                self.add_reference(bare_id, value, "command_parameter_type", "commandParameterType")
