"""The catalogue of 1C metadata types and the normalisation of type names and object references.

EDT and Designer spell the same thing differently (``CatalogRef.X`` vs ``cfg:CatalogRef.X``,
``String`` vs ``xs:string``); everything passes through here so both formats give identical rows.
"""

from __future__ import annotations

from functools import lru_cache

# Singular English type word -> folder name (the same in EDT and Designer).
TYPE_FOLDERS: dict[str, str] = {
    "AccountingRegister": "AccountingRegisters",
    "AccumulationRegister": "AccumulationRegisters",
    "Bot": "Bots",
    "BusinessProcess": "BusinessProcesses",
    "CalculationRegister": "CalculationRegisters",
    "Catalog": "Catalogs",
    "ChartOfAccounts": "ChartsOfAccounts",
    "ChartOfCalculationTypes": "ChartsOfCalculationTypes",
    "ChartOfCharacteristicTypes": "ChartsOfCharacteristicTypes",
    "CommandGroup": "CommandGroups",
    "CommonAttribute": "CommonAttributes",
    "CommonCommand": "CommonCommands",
    "CommonForm": "CommonForms",
    "CommonModule": "CommonModules",
    "CommonPicture": "CommonPictures",
    "CommonTemplate": "CommonTemplates",
    "Constant": "Constants",
    "DataProcessor": "DataProcessors",
    "DefinedType": "DefinedTypes",
    "Document": "Documents",
    "DocumentJournal": "DocumentJournals",
    "DocumentNumerator": "DocumentNumerators",
    "Enum": "Enums",
    "EventSubscription": "EventSubscriptions",
    "ExchangePlan": "ExchangePlans",
    "ExternalDataSource": "ExternalDataSources",
    "FilterCriterion": "FilterCriteria",
    "FunctionalOption": "FunctionalOptions",
    "FunctionalOptionsParameter": "FunctionalOptionsParameters",
    "HTTPService": "HTTPServices",
    "InformationRegister": "InformationRegisters",
    "IntegrationService": "IntegrationServices",
    "Interface": "Interfaces",
    "Language": "Languages",
    "PaletteColor": "PaletteColors",
    "Report": "Reports",
    "Role": "Roles",
    "ScheduledJob": "ScheduledJobs",
    "Sequence": "Sequences",
    "SessionParameter": "SessionParameters",
    "SettingsStorage": "SettingsStorages",
    "Style": "Styles",
    "StyleItem": "StyleItems",
    "Subsystem": "Subsystems",
    "Task": "Tasks",
    "WebService": "WebServices",
    "WebSocketClient": "WebSocketClients",
    "WSReference": "WSReferences",
    "XDTOPackage": "XDTOPackages",
}
FOLDER_TYPES: dict[str, str] = {folder: singular for singular, folder in TYPE_FOLDERS.items()}

# Longest first, so "ChartOfCharacteristicTypesRef" is not read as a "Chart…" of something shorter.
_TYPES_LONGEST_FIRST = sorted(TYPE_FOLDERS, key=len, reverse=True)

# Suffixes of the types an object produces: CatalogRef.X, DocumentObject.X, InformationRegisterRecordSet.X …
_PRODUCED_SUFFIXES = frozenset(
    {
        "", "Ref", "Object", "Manager", "Selection", "List", "RecordSet", "RecordKey", "RecordManager",
        "ValueManager", "ValueKey", "RoutePointRef", "TabularSection", "TabularSectionRow", "ExtDimensions",
        "ExtDimensionTypes",
    }
)  # fmt: skip

# Designer's XML Schema type names -> the words EDT writes.
_XS_TYPES = {
    "string": "String",
    "decimal": "Number",
    "dateTime": "Date",
    "boolean": "Boolean",
    "base64Binary": "BinaryData",
}


# Designer platform type names that EDT spells differently.
_DESIGNER_RENAMES = {"AnyIBRef": "AnyRef", "ValueListType": "ValueList"}
# Data composition types live in dcs* namespaces in Designer; EDT prefixes the name instead.
_DCS_PREFIXES = ("dcsset:", "dcscor:", "dcssch:", "dcsat:", "dcscom:")


def strip_prefix(raw: str) -> str:
    """'cfg:CatalogRef.X' -> 'CatalogRef.X'; a namespace prefix is an identifier before the first ':'."""
    head, sep, tail = raw.partition(":")
    if sep and head and "." not in head and " " not in head and "/" not in head:
        return tail
    return raw


def normalise_type(raw: str) -> str:
    """One spelling for a value type in both formats: String, Number, Date, Boolean, CatalogRef.X …"""
    raw = raw.strip()
    if raw.startswith("xs:"):
        return _XS_TYPES.get(raw[3:], raw[3:])
    if raw.startswith(_DCS_PREFIXES):
        return "DataComposition" + strip_prefix(raw)
    bare = strip_prefix(raw)
    return _DESIGNER_RENAMES.get(bare, bare)


@lru_cache(
    maxsize=1024
)  # a few hundred distinct type words occur; references number in the tens of thousands
def split_produced(token: str) -> tuple[str, str] | None:
    """'CatalogObject' -> ('Catalog', 'Object'); None when the word is no known type."""
    for singular in _TYPES_LONGEST_FIRST:
        if token.startswith(singular) and token[len(singular) :] in _PRODUCED_SUFFIXES:
            return singular, token[len(singular) :]
    return None


def object_id_of(ref: str) -> str | None:
    """The object a metadata reference points at, or None when it names no object.

    'CatalogRef.X' -> 'Catalog.X'; 'Catalog.X.Attribute.Y' -> 'Catalog.X';
    'Subsystem.A.Subsystem.B.Subsystem.C' -> itself; 'Characteristic.X' -> 'ChartOfCharacteristicTypes.X';
    'CommonModule.M.Method' -> 'CommonModule.M'.
    """
    parts = strip_prefix(ref.strip()).split(".")
    if len(parts) < 2 or not parts[1]:
        return None
    head = parts[0]
    if head == "Subsystem":
        keep = 2
        while len(parts) >= keep + 2 and parts[keep] == "Subsystem":
            keep += 2
        return ".".join(parts[:keep])
    if head == "Characteristic":
        return f"ChartOfCharacteristicTypes.{parts[1]}"
    if head == "DefinedType":
        return f"DefinedType.{parts[1]}"
    found = split_produced(head)
    if found is None:
        return None
    return f"{found[0]}.{parts[1]}"
