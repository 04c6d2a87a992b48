"""Which BSL files are modules of which object, with the ids the snapshot contract uses.

Both formats are mapped to the EDT layout first (Designer adds ``Ext`` folders and ``Form/`` before a
form's module), so a single rule table serves both.
"""

from __future__ import annotations

from pathlib import Path

from .model import ModuleFile, Project

# Module files an object may own directly (stem -> module_type), "Module" is typed by its owner.
OBJECT_STEMS = frozenset(
    {"ObjectModule", "ManagerModule", "RecordSetModule", "ValueManagerModule", "CommandModule", "Module"}
)
CONFIGURATION_STEMS = frozenset(
    {"ManagedApplicationModule", "OrdinaryApplicationModule", "SessionModule", "ExternalConnectionModule"}
)
_MODULE_OF_TYPE = {
    "CommonModule": "CommonModule",
    "CommonForm": "FormModule",
    "WebService": "WebServiceModule",
    "HTTPService": "HTTPServiceModule",
    "IntegrationService": "IntegrationServiceModule",
    "Bot": "BotModule",
    "WebSocketClient": "WebSocketClientModule",
}
# Folders of nested objects that own modules of their own -> the singular word used in module ids.
_NESTED_OWNERS = {
    "Recalculations": "Recalculation",
    "Tables": "Table",
    "Cubes": "Cube",
    "DimensionTables": "DimensionTable",
}
MODULE_SUFFIXES = (".bsl", ".bin")  # .bin: a protected module shipped without source


def designer_parts(parts: tuple[str, ...]) -> tuple[str, ...]:
    """'Forms/F/Ext/Form/Module.bsl' -> ('Forms', 'F', 'Module.bsl'); 'Ext/ObjectModule.bsl' -> ('ObjectModule.bsl',)."""
    parts = tuple(p for p in parts if p != "Ext")
    if len(parts) >= 2 and parts[-2] == "Form" and parts[-1].startswith("Module."):
        parts = parts[:-2] + parts[-1:]
    return parts


def module_for(
    project: Project, type_: str, name: str, bare_id: str, parts: tuple[str, ...], path: Path
) -> ModuleFile | None:
    """The module a file is, given its path inside the object folder in EDT layout, or None."""
    stem, dot, suffix = parts[-1].rpartition(".")
    if not dot or f".{suffix}" not in MODULE_SUFFIXES:
        return None
    form = command = None
    if len(parts) == 1 and stem in OBJECT_STEMS:
        if stem == "Module":
            module_type = _MODULE_OF_TYPE.get(type_)
            if module_type is None:
                return None
            if type_ == "CommonForm":
                form = name
        else:
            module_type = stem
            if type_ == "CommonCommand" and stem == "CommandModule":
                command = name
        local_id = stem
    elif len(parts) == 3 and parts[0] == "Forms" and stem == "Module":
        module_type, form, local_id = "FormModule", parts[1], f"Form.{parts[1]}.Module"
    elif len(parts) == 3 and parts[0] == "Commands" and stem == "CommandModule":
        module_type, command, local_id = "CommandModule", parts[1], f"Command.{parts[1]}.CommandModule"
    elif len(parts) == 3 and parts[0] in _NESTED_OWNERS and stem in OBJECT_STEMS and stem != "Module":
        # recalculations of calculation registers, tables and cubes of external data sources
        module_type, local_id = stem, f"{_NESTED_OWNERS[parts[0]]}.{parts[1]}.{stem}"
    else:
        return None
    return ModuleFile(
        module_id=f"{project.id_prefix}{bare_id}.{local_id}",
        object_id=project.id_prefix + bare_id,
        module_type=module_type,
        form=form,
        command=command,
        path=project.rel(path),
        abs_path=path,
    )


def configuration_module(project: Project, path: Path) -> ModuleFile | None:
    stem, _, suffix = path.name.rpartition(".")
    if stem not in CONFIGURATION_STEMS or f".{suffix}" not in MODULE_SUFFIXES:
        return None
    return ModuleFile(
        module_id=f"{project.id_prefix}Configuration.{stem}",
        object_id=f"{project.id_prefix}Configuration",
        module_type=stem,
        form=None,
        command=None,
        path=project.rel(path),
        abs_path=path,
    )


def prefer_source(modules: list[ModuleFile]) -> list[ModuleFile]:
    """One entry per module id: the .bsl wins over a .bin of the same module."""
    chosen: dict[str, ModuleFile] = {}
    for module in modules:
        current = chosen.get(module.module_id)
        if current is None or (current.path.endswith(".bin") and module.path.endswith(".bsl")):
            chosen[module.module_id] = module
    return sorted(chosen.values(), key=lambda m: m.module_id)
