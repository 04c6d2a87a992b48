"""The context of one object's page: its rows from every table, shaped for the template.

Plain data only (the template escapes everything it prints). Links are resolved here against the
snapshot's objects: a type or reference to an object the snapshot does not hold stays plain text.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pyarrow.compute as pc

from .doc_comments import parse_doc_comment
from .site_data import FINDINGS_LISTED, SiteData

_KEYWORDS = {"Procedure": "Процедура", "Function": "Функция"}
DIRECTIVES = {
    "AtClient": "&НаКлиенте",
    "AtServer": "&НаСервере",
    "AtServerNoContext": "&НаСервереБезКонтекста",
    "AtClientAtServerNoContext": "&НаКлиентеНаСервереБезКонтекста",
    "AtClientAtServer": "&НаКлиентеНаСервере",
}

#: Reference kinds (``references.kind``) as a 1C developer says them; unknown kinds show as written.
REFERENCE_KINDS = {
    "attribute_type": "тип реквизита",
    "subsystem_content": "состав подсистемы",
    "register_records": "движения документа",
    "based_on": "ввод на основании",
    "event_subscription_source": "источник подписки на событие",
    "event_subscription_handler": "обработчик подписки на событие",
    "scheduled_job_method": "метод регламентного задания",
    "defined_type": "определяемый тип",
    "exchange_plan_content": "состав плана обмена",
    "characteristic_type": "тип значения характеристики",
    "functional_option_content": "состав функциональной опции",
    "filter_criterion_content": "состав критерия отбора",
    "catalog_owner": "владелец справочника",
    "default_form": "основная форма",
    "command_group": "группа команды",
}


def signature(method: dict[str, Any]) -> str:
    params = []
    for param in method.get("params") or []:
        text = ("Знач " if param.get("by_value") else "") + (param.get("name") or "")
        if param.get("default") is not None:
            text += f" = {param['default']}"
        params.append(text)
    keyword = _KEYWORDS.get(method.get("kind") or "", method.get("kind") or "")
    prefix = "Асинх " if method.get("is_async") else ""
    suffix = " Экспорт" if method.get("export") else ""
    return f"{prefix}{keyword} {method['name']}({', '.join(params)}){suffix}"


_FRAGMENT_UNSAFE = re.compile(r"[^\w.-]+")


def method_anchor(method_id: str, object_id: str) -> str:
    """``Catalog.X.ObjectModule.Записать`` on Catalog.X's page -> ``m-ObjectModule.Записать``.

    Fragment ids keep the Cyrillic name (unlike file names, a fragment never touches a file
    system; browsers match it after percent-decoding), so the search index can derive a method's
    anchor from its name instead of storing it.
    """
    tail = method_id[len(object_id) + 1 :] if method_id.startswith(object_id + ".") else method_id
    return "m-" + _FRAGMENT_UNSAFE.sub("_", tail)


def _number(value: int | None) -> str:
    return "—" if value is None else str(value)


def _method(method: dict[str, Any], object_id: str, callers: int | None) -> dict[str, Any]:
    """Add what the page shows to a method row (in place: the row is this page's own copy).

    The facts are joined into one line of text here so that a method costs the template a handful
    of substitutions: a 1C:ERP site renders ≈500k methods.
    """
    get = method.get
    facts = [DIRECTIVES.get(d, f"&{d}") for d in get("directives") or []]
    facts += [f"&{annotation}" for annotation in get("annotations") or []]
    facts.append(
        f"строки {_number(get('start_line'))}–{_number(get('end_line'))} · ncloc {_number(get('ncloc'))}"
        f" · цикломатическая {_number(get('cyclomatic'))} · когнитивная {_number(get('cognitive'))}"
    )
    if get("region"):
        facts.append(f"область {method['region']}")
    if get("preprocessor"):
        facts.append(f"#Если {method['preprocessor']}")
    if callers:
        facts.append(f"вызовов из других объектов: {callers}")
    method["anchor"] = method_anchor(method["method_id"], object_id)
    method["signature"] = signature(method)
    method["facts"] = " · ".join(facts)
    method["doc"] = parse_doc_comment(get("doc_comment"))
    return method


def _grouped_links(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows of aggregated calls/queries -> one entry per object with the methods (tables) and counts."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        other = row[key] or "?"
        entry = grouped.setdefault(other, {"object_id": other, "sites": 0, "items": []})
        entry["sites"] += row["sites"]
        entry["items"].append((row.get("callee_method") or row.get("table_name") or "", row["sites"]))
    return sorted(grouped.values(), key=lambda entry: (-entry["sites"], entry["object_id"]))


def _by_kind(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        kinds[row["kind"] or "other"].append(row)
    return sorted(kinds.items())


def object_context(data: SiteData, obj: dict[str, Any]) -> dict[str, Any]:
    object_id = obj["object_id"]
    calls_in = data.calls_in.rows(object_id)
    incoming_per_method: dict[str, int] = defaultdict(int)
    for row in calls_in:
        incoming_per_method[(row["callee_method"] or "").lower()] += row["sites"]

    modules = sorted(data.modules.rows(object_id), key=lambda row: row["module_id"])
    methods_by_module: dict[str, list[dict[str, Any]]] = defaultdict(list)
    methods = sorted(data.methods.rows(object_id), key=lambda row: (row["module_id"], row["start_line"] or 0))
    # Calls from other objects reach common-module and manager-module methods by name.
    callable_modules = {
        m["module_id"] for m in modules if m["module_type"] in ("CommonModule", "ManagerModule")
    }
    for method in methods:
        callers = (
            incoming_per_method.get(method["name"].lower())
            if method["module_id"] in callable_modules
            else None
        )
        methods_by_module[method["module_id"]].append(_method(method, object_id, callers))
    for module in modules:
        module["methods"] = methods_by_module.pop(module["module_id"], [])
        module["anchor"] = "mod-" + _FRAGMENT_UNSAFE.sub(
            "_", module["module_id"][len(object_id) + 1 :] or module["module_id"]
        )
    for module_id, methods in sorted(methods_by_module.items()):  # methods of a module the table lacks
        missing = dict.fromkeys(("configuration", "object_id", "module_type", "form", "command", "path", "size_bytes",
                                 "lines", "ncloc", "protected", "sha256"))  # fmt: skip
        modules.append(
            {
                **missing,
                "module_id": module_id,
                "methods": methods,
                "anchor": "mod-" + _FRAGMENT_UNSAFE.sub("_", module_id),
            }
        )

    attributes = sorted(
        data.attributes.rows(object_id),
        key=lambda row: (row["kind"] or "", row["tabular_section"] or "", row["name"] or ""),
    )
    for attribute in attributes:
        attribute["type_links"] = [
            (name, data.resolve_type(name, object_id)) for name in attribute["types"] or []
        ]

    references_out = data.references_out.rows(object_id)
    content = (
        [row for row in references_out if row["kind"] == "subsystem_content"]
        if obj["type"] == "Subsystem"
        else []
    )
    findings, findings_total, findings_per_rule = _findings(data, object_id)

    api = []
    if obj["type"] == "CommonModule":
        api = [method for module in modules for method in module["methods"] if method.get("export")]
    return {
        "obj": obj,
        "attributes": attributes,
        "modules": modules,
        "method_count": sum(len(module["methods"]) for module in modules),
        "api": api,
        "references_out": _by_kind(
            [row for row in references_out if row["kind"] != "subsystem_content" or not content]
        ),
        "references_in": _by_kind(data.references_in.rows(object_id)),
        "calls_out": _grouped_links(data.calls_out.rows(object_id), "callee_object_id"),
        "calls_in": _grouped_links(calls_in, "caller_object_id"),
        "queries_out": _grouped_links(data.queries_out.rows(object_id), "target_object_id"),
        "queries_in": _grouped_links(data.queries_in.rows(object_id), "caller_object_id"),
        "content": content,
        "children": data.children.get(object_id, []),
        "parents": _parents(data, obj),
        "findings": findings,
        "findings_total": findings_total,
        "findings_per_rule": findings_per_rule,
        "findings_present": data.findings is not None,
    }


def _findings(data: SiteData, object_id: str) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The object's findings to list (by file, line, rule; at most ``FINDINGS_LISTED``), how many it
    has, and — when they are more than listed — the count per rule."""
    if data.findings is None:
        return [], 0, []
    total = data.findings.count(object_id)
    if total <= FINDINGS_LISTED:
        findings = data.findings.rows(object_id)
        findings.sort(key=lambda row: (row.get("path") or "", row.get("line") or 0, row.get("rule") or ""))
        return findings, total, []
    start, stop = data.findings.spans[object_id]
    table = data.findings.table.slice(start, stop - start)
    # Arrow's sort is stable and puts nulls first, like the sort above with "" and 0 for them
    keys = [(column, "ascending", "at_start") for column in ("path", "line", "rule")]
    first = table.take(pc.sort_indices(table, options=pc.SortOptions(keys))[:FINDINGS_LISTED])
    counts = table.group_by(["rule", "severity"]).aggregate([("rule", "count")]).to_pylist()
    per_rule = sorted(
        ({"rule": row["rule"], "severity": row["severity"], "count": row["rule_count"]} for row in counts),
        key=lambda row: (-row["count"], row["rule"] or "", row["severity"] or ""),
    )
    return first.to_pylist(), total, per_rule


def _parents(data: SiteData, obj: dict[str, Any]) -> list[str]:
    chain = []
    parent = obj.get("parent_id")
    while parent and parent in data.by_id and parent not in chain:
        chain.append(parent)
        parent = data.by_id[parent].get("parent_id")
    return list(reversed(chain))
