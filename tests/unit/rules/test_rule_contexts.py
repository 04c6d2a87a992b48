"""Rules bound to where code runs read the module's type, its flags and the method's directive."""

from __future__ import annotations

import pytest

from onec_analysis.rules.engine import check_module
from tests.unit.rules.support import module_from_text

CALLS = """#Область СлужебныеПроцедурыИФункции
Процедура Обработать(ИмяФайла)
	КопироватьФайл(ИмяФайла, ИмяФайла + ".bak");
	Результат = Вычислить(ИмяФайла);
КонецПроцедуры
#КонецОбласти
"""


def rules_found(module_type: str, properties: dict, text: str = CALLS) -> set[str]:
    module = module_from_text(text, module_type=module_type, properties=properties)
    table, errors = check_module(
        module, only=["UsingSynchronousCalls", "ExecuteExternalCodeInCommonModule", "ExecuteExternalCode"]
    )
    assert not errors
    return set(table["rule"].to_pylist())


@pytest.mark.parametrize(
    ("properties", "expected"),
    [
        ({"server": True}, {"ExecuteExternalCodeInCommonModule"}),
        ({"clientManagedApplication": True}, {"UsingSynchronousCalls"}),
        # The ordinary application's thick client allows synchronous calls.
        ({"server": True, "clientOrdinaryApplication": True}, {"ExecuteExternalCodeInCommonModule"}),
        (
            {"server": True, "clientManagedApplication": True},
            {"UsingSynchronousCalls", "ExecuteExternalCodeInCommonModule"},
        ),
    ],
)
def test_common_module_flags_decide_the_side(properties: dict, expected: set[str]) -> None:
    assert rules_found("CommonModule", properties) == expected


def test_form_methods_follow_their_directive() -> None:
    text = CALLS.replace("Процедура Обработать", "&НаКлиенте\nПроцедура Обработать")
    assert rules_found("FormModule", {}, text) == {"UsingSynchronousCalls"}
    text = CALLS.replace("Процедура Обработать", "&НаСервере\nПроцедура Обработать")
    assert rules_found("FormModule", {}, text) == {"ExecuteExternalCode"}


def test_object_modules_run_on_the_server() -> None:
    assert rules_found("ObjectModule", {}) == {"ExecuteExternalCode"}


@pytest.mark.parametrize(
    ("name", "properties", "expected"),
    [
        (
            "ОбщегоНазначенияКлиент",
            {"clientManagedApplication": True, "clientOrdinaryApplication": True},
            set(),
        ),
        ("ОбщегоНазначенияВызовСервера", {"server": True, "serverCall": True}, set()),
        ("ОбщегоНазначенияКлиентСервер", {"server": True, "clientManagedApplication": True}, set()),
        ("СтандартныеПодсистемыГлобальный", {"global": True, "clientManagedApplication": True}, set()),
        ("ОбщегоНазначенияПовтИсп", {"server": True, "returnValuesReuse": "DuringRequest"}, set()),
        ("CommonUseCached", {"server": True, "returnValuesReuse": "DuringSession"}, set()),
        # A server module that a thick client may also run is no client-server module.
        ("ОценкаПроизводительности", {"server": True, "clientOrdinaryApplication": True}, set()),
        ("Почта", {"global": True, "clientManagedApplication": True}, {"CommonModuleNameGlobal"}),
        ("Почта", {"server": True, "clientManagedApplication": True}, {"CommonModuleNameClientServer"}),
    ],
)
def test_common_module_names_follow_their_flags(name: str, properties: dict, expected: set[str]) -> None:
    module = module_from_text(
        "", module_type="CommonModule", properties=properties, module_id=f"CommonModule.{name}.Module"
    )
    keys = [key for key in ("Client", "ServerCall", "Cached", "Global", "FullAccess", "ClientServer")]
    table, errors = check_module(module, only=[f"CommonModuleName{key}" for key in keys])
    assert not errors
    assert set(table["rule"].to_pylist()) == expected


def test_a_method_the_module_declares_shadows_the_global_one() -> None:
    text = """#Область СлужебныеПроцедурыИФункции
Процедура Сообщить(Текст)
	Оповестить("Сообщение", Текст);
КонецПроцедуры

Процедура Проверить()
	Сообщить("своя процедура модуля");
КонецПроцедуры
#КонецОбласти
"""
    module = module_from_text(text, module_type="ObjectModule", properties={})
    table, errors = check_module(module, only=["DeprecatedMessage"])
    assert not errors
    assert table.num_rows == 0
    # Without the declaration, the same call is the global method and is reported.
    global_only = text.replace(
        'Процедура Сообщить(Текст)\n\tОповестить("Сообщение", Текст);\nКонецПроцедуры\n', ""
    )
    table, _ = check_module(
        module_from_text(global_only, module_type="ObjectModule", properties={}), only=["DeprecatedMessage"]
    )
    assert table["line"].to_pylist() == [4]
