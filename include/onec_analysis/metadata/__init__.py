"""The metadata reader: 1C configurations (EDT projects, EDT workspaces, Designer dumps) into snapshot rows.

    src = detect_source(path)                   # NotAConfiguration("<path>: not a 1C configuration: <why>")
    for project in src.projects:                # main configuration first, then extensions
        for unit in list_units(project):        # picklable, independent: shard them freely
            result = read_unit(project, unit)   # objects, attributes, references, form_handlers, problems, modules

* A unit is one top-level object folder (nested subsystems, forms, commands and modules included)
  or the Configuration itself (its object row, EDT's inline languages, application/session modules).
  ``Unit.files`` lists what the unit reads, relative to ``project.root``; ``project.cache_salt`` is
  the rest of what shapes its rows.
* Ids follow the snapshot schema. An extension's ids carry ``"<extension name>:"``; a reference from
  an extension gets the prefix only when the extension itself defines the target.
* Bad input is one ``problems`` row, never an exception: malformed_xml, not_utf8, unsafe_xml (a
  DOCTYPE/entities), unknown_type (a folder), unknown_element (a root or ChildObjects element),
  unknown_module (a stray .bsl), symlink_outside, unreadable, missing_file, reader_error.
* Module text is not read here: the orchestrator reads ``ModuleFile.abs_path`` (``.bin`` = protected).

Never imports airflow.
"""

from .detect import detect_source
from .model import ModuleFile, NotAConfiguration, Project, Source, Unit, UnitResult
from .reader import common_module_names, configuration_unit, list_units, read_unit, type_folders, type_units

__all__ = [
    "ModuleFile",
    "NotAConfiguration",
    "Project",
    "Source",
    "Unit",
    "UnitResult",
    "common_module_names",
    "configuration_unit",
    "detect_source",
    "list_units",
    "read_unit",
    "type_folders",
    "type_units",
]
