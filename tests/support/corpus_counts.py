"""What ../shared/corpus/README.md says SSL 3.1.9 (EDT) holds: the numbers a faithful reader reproduces."""

from __future__ import annotations

from onec_analysis.metadata.types import FOLDER_TYPES

#: Objects per EDT folder of ssl-3.1.9-edt (the README's table).
SSL_EDT_OBJECTS_PER_FOLDER = {
    "CommonModules": 738, "CommonPictures": 576, "InformationRegisters": 247, "Subsystems": 235, "Constants": 230,
    "Roles": 157, "DataProcessors": 145, "EventSubscriptions": 145, "Enums": 120, "CommonForms": 118,
    "StyleItems": 116, "Catalogs": 111, "FunctionalOptions": 103, "CommonCommands": 95, "DefinedTypes": 73,
    "ScheduledJobs": 70, "SessionParameters": 63, "XDTOPackages": 58, "Reports": 43, "Documents": 25,
    "CommonTemplates": 23, "WebServices": 13, "CommandGroups": 7, "CommonAttributes": 6, "ExchangePlans": 6,
    "ChartsOfCharacteristicTypes": 5, "FunctionalOptionsParameters": 5, "DocumentJournals": 4,
    "AccountingRegisters": 2, "AccumulationRegisters": 2, "BusinessProcesses": 2, "HTTPServices": 2,
    "CalculationRegisters": 1, "ChartsOfAccounts": 1, "ChartsOfCalculationTypes": 1, "FilterCriteria": 1,
    "Sequences": 1, "SettingsStorages": 1, "Tasks": 1,
}  # fmt: skip

#: The same counts keyed by our object type names (`Catalog`, `CommonModule` …).
SSL_EDT_OBJECTS_PER_TYPE = {
    FOLDER_TYPES[folder]: count for folder, count in SSL_EDT_OBJECTS_PER_FOLDER.items()
}

SSL_EDT_MODULES = 2_790
SSL_EDT_METHODS = 42_609
