"""A small hand-made configuration (Cyrillic names) and analysis outputs, for the site's tests.

Shared by the unit tests and the browser tests, so both check the same, exactly known content.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from tests.support.snapshots import make_snapshot

SCRIPT_DOC = "Находит банк по БИК. <script>alert('doc')</script>\n\nПараметры:\n  БИК - Строка - девять цифр.\n  Страна - СправочникСсылка.Страны - где искать,\n      по умолчанию Россия.\n\nВозвращаемое значение:\n  СправочникСсылка.Банки - найденный банк или пустая ссылка.\n\nПример:\n  Банк = РаботаСБанками.НайтиБанк(\"044525225\");"


def method(module_id: str, object_id: str, name: str, **fields) -> dict:
    return {
        "method_id": f"{module_id}.{name}", "module_id": module_id, "object_id": object_id, "name": name,
        "kind": "Function", "export": False, "directives": [], "params": [], "start_line": 1, "end_line": 5,
        "ncloc": 3, "cyclomatic": 1, "cognitive": 0, **fields,
    }  # fmt: skip


# The common module's text, as the reader stores it (LF, no BOM): what the real rules check.
BANK_MODULE_TEXT = """#Область ПрограммныйИнтерфейс

// Находит банк по БИК.
&НаСервере
Функция НайтиБанк(Знач БИК, Страна = Неопределено) Экспорт
	Запрос = Новый Запрос("ВЫБРАТЬ Ссылка ИЗ Справочник.Банки ГДЕ Код = &БИК");
	Возврат Запрос.Выполнить();
КонецФункции

Процедура ОбновитьКлассификатор() Экспорт
	Перейти ~Метка;
КонецПроцедуры

#КонецОбласти
"""


def make_sample_snapshot(path: Path) -> Path:
    bank_module = "CommonModule.РаботаСБанками.Module"
    counterparty_module = "Catalog.Контрагенты.ObjectModule"
    return make_snapshot(
        path,
        configuration="ДемоКонфигурация",
        objects=[
            {
                "object_id": "Catalog.Банки",
                "type": "Catalog",
                "name": "Банки",
                "synonym": "Банки (классификатор)",
            },
            {
                "object_id": "Catalog.Контрагенты",
                "type": "Catalog",
                "name": "Контрагенты",
                "synonym": "Контрагенты",
                "comment": "Покупатели & поставщики <b>все</b>",
            },
            {
                "object_id": "Document.ПоступлениеТоваров",
                "type": "Document",
                "name": "ПоступлениеТоваров",
                "synonym": "Поступление товаров",
            },
            {
                "object_id": "CommonModule.РаботаСБанками",
                "type": "CommonModule",
                "name": "РаботаСБанками",
                "synonym": "Работа с банками",
                "properties": json.dumps({"server": True, "serverCall": True}),
            },
            {"object_id": "Subsystem.Финансы", "type": "Subsystem", "name": "Финансы", "synonym": "Финансы"},
            {
                "object_id": "Subsystem.Финансы.Subsystem.Банковские",
                "type": "Subsystem",
                "name": "Банковские",
                "synonym": "Банковские операции",
                "parent_id": "Subsystem.Финансы",
            },
        ],
        attributes=[
            {
                "object_id": "Catalog.Контрагенты",
                "kind": "Attribute",
                "name": "ОсновнойБанк",
                "synonym": "Основной банк",
                "types": ["CatalogRef.Банки"],
            },
            {"object_id": "Catalog.Контрагенты", "kind": "Attribute", "name": "ИНН", "types": ["String"]},
            {
                "object_id": "Document.ПоступлениеТоваров",
                "kind": "Attribute",
                "name": "Контрагент",
                "types": ["CatalogRef.Контрагенты", "CatalogRef.Валюты"],
            },
        ],
        modules=[
            {
                "module_id": bank_module,
                "object_id": "CommonModule.РаботаСБанками",
                "module_type": "CommonModule",
                "path": "src/CommonModules/РаботаСБанками/Module.bsl",
                "lines": 40,
                "ncloc": 30,
                "protected": False,
            },
            {
                "module_id": counterparty_module,
                "object_id": "Catalog.Контрагенты",
                "module_type": "ObjectModule",
                "path": "src/Catalogs/Контрагенты/ObjectModule.bsl",
                "lines": 20,
                "ncloc": 12,
                "protected": False,
            },
            {
                "module_id": "Document.ПоступлениеТоваров.ObjectModule",
                "object_id": "Document.ПоступлениеТоваров",
                "module_type": "ObjectModule",
                "path": "src/Documents/ПоступлениеТоваров/ObjectModule.bsl",
                "lines": 0,
                "ncloc": 0,
                "protected": True,
            },
        ],
        methods=[
            method(
                bank_module,
                "CommonModule.РаботаСБанками",
                "НайтиБанк",
                export=True,
                doc_comment=SCRIPT_DOC,
                directives=["AtServer"],
                start_line=10,
                end_line=20,
                cyclomatic=4,
                cognitive=3,
                params=[
                    {"name": "БИК", "by_value": True, "default": None},
                    {"name": "Страна", "by_value": False, "default": "Неопределено"},
                ],
            ),
            method(
                bank_module,
                "CommonModule.РаботаСБанками",
                "ОбновитьКлассификатор",
                kind="Procedure",
                export=True,
                start_line=22,
                end_line=30,
            ),
            method(bank_module, "CommonModule.РаботаСБанками", "ЗагрузитьФайл", start_line=32, end_line=40),
            method(
                counterparty_module,
                "Catalog.Контрагенты",
                "ПередЗаписью",
                kind="Procedure",
                params=[{"name": "Отказ", "by_value": False, "default": None}],
                start_line=3,
                end_line=12,
            ),
        ],
        references=[
            {
                "source_id": "Catalog.Контрагенты",
                "target_id": "Catalog.Банки",
                "kind": "attribute_type",
                "via": "ОсновнойБанк",
            },
            {
                "source_id": "Document.ПоступлениеТоваров",
                "target_id": "Catalog.Контрагенты",
                "kind": "attribute_type",
                "via": "Контрагент",
            },
            {
                "source_id": "Subsystem.Финансы.Subsystem.Банковские",
                "target_id": "Catalog.Банки",
                "kind": "subsystem_content",
            },
            {
                "source_id": "Subsystem.Финансы.Subsystem.Банковские",
                "target_id": "CommonModule.РаботаСБанками",
                "kind": "subsystem_content",
            },
            {
                "source_id": "Subsystem.Финансы",
                "target_id": "Catalog.Контрагенты",
                "kind": "subsystem_content",
            },
        ],
        calls=[
            {
                "caller_method_id": f"{counterparty_module}.ПередЗаписью",
                "caller_module_id": counterparty_module,
                "callee_object_id": "CommonModule.РаботаСБанками",
                "callee_method": "НайтиБанк",
                "callee_kind": "common_module",
                "line": 5,
            },
            {
                "caller_method_id": f"{counterparty_module}.ПередЗаписью",
                "caller_module_id": counterparty_module,
                "callee_object_id": "CommonModule.РаботаСБанками",
                "callee_method": "НайтиБанк",
                "callee_kind": "common_module",
                "line": 9,
            },
            {
                "caller_method_id": f"{bank_module}.НайтиБанк",
                "caller_module_id": bank_module,
                "callee_object_id": "CommonModule.РаботаСБанками",
                "callee_method": "ЗагрузитьФайл",
                "callee_kind": "local",
                "line": 15,
            },
        ],
        query_tables=[
            {
                "module_id": bank_module,
                "method_id": f"{bank_module}.НайтиБанк",
                "table_name": "Справочник.Банки",
                "object_id": "Catalog.Банки",
                "line": 14,
            },
        ],
        module_texts=[{"module_id": bank_module, "text": BANK_MODULE_TEXT}],
        problems=[
            {
                "path": "src/Documents/ПоступлениеТоваров/ObjectModule.bsl",
                "kind": "protected_module",
                "message": "module has no source text (protected)",
            },
        ],
    )


# The smallest well-formed SVG chart stand-in: the site copies and embeds whatever the analysis drew.
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><rect width="120" height="30" fill="#4c78a8"/><text x="5" y="50">Справочники</text></svg>'


def make_sample_analyses(path: Path, *, with_best_practices: bool = True) -> Path:
    """``architecture/`` and (optionally) ``best_practices/``; no ``dependencies/`` and no ``dataset/``."""
    architecture = path / "architecture"
    (architecture / "plots").mkdir(parents=True)
    (architecture / "plots" / "objects_per_type.svg").write_text(_SVG, encoding="utf-8")
    pq.write_table(
        pa.table({"type": ["Catalog", "Document"], "objects": [2, 1]}), architecture / "per_type.parquet"
    )
    (architecture / "architecture.json").write_text(json.dumps({"analysis": "architecture", "outputs": [
        {"file": "architecture.json", "description": "All aggregates."},
        {"file": "per_type.parquet", "description": "Per object type: objects."},
        {"file": "plots/objects_per_type.svg", "description": "Objects per type."},
    ]}, ensure_ascii=False), encoding="utf-8")  # fmt: skip
    if with_best_practices:
        best = path / "best_practices"
        best.mkdir()
        findings = [
            {"rule": "MissingDocComment", "severity": "MINOR", "type": "CODE_SMELL",
             "module_id": "Catalog.Контрагенты.ObjectModule", "method_id": "Catalog.Контрагенты.ObjectModule.ПередЗаписью",
             "object_id": "Catalog.Контрагенты", "path": "src/Catalogs/Контрагенты/ObjectModule.bsl", "line": 3,
             "column": 1, "message": "Метод ПередЗаписью без описания <i>комментария</i>"},
        ]  # fmt: skip
        pq.write_table(pa.Table.from_pylist(findings), best / "findings.parquet")
        (best / "best_practices.json").write_text(json.dumps({"outputs": [
            {"file": "findings.parquet", "description": "All findings."},
            {"file": "best_practices.sarif", "description": "SARIF 2.1.0."},
        ]}), encoding="utf-8")  # fmt: skip
    return path
