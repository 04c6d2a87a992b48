"""Building blocks shared by rules: patterns over ``ModuleSource.code`` and a base for call rules.

``code`` is lower-cased, so every pattern here is written in lower case and compiled without
``re.IGNORECASE`` (case-insensitive matching of Cyrillic is several times slower in CPython's ``re``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

from onec_analysis.rules.registry import Finding, Rule
from onec_analysis.rules.source import Method, ModuleSource

#: Methods the platform calls by name (object, manager, record set, application, session and form
#: events), lower-cased, Russian and English. They are used even when no code calls them.
EVENT_HANDLERS = frozenset(
    name.lower()
    for name in (
        "ПередЗаписью", "BeforeWrite", "ПриЗаписи", "OnWrite", "ПередУдалением", "BeforeDelete",
        "ОбработкаПроверкиЗаполнения", "FillCheckProcessing", "ОбработкаЗаполнения", "Filling",
        "ПриКопировании", "OnCopy", "ОбработкаПроведения", "Posting", "ОбработкаУдаленияПроведения", "UndoPosting",
        "ПриУстановкеНовогоНомера", "SetNewNumber", "ПриУстановкеНовогоКода", "SetNewCode",
        "ОбработкаПолученияДанныхВыбора", "ChoiceDataGetProcessing",
        "ОбработкаПолученияПредставления", "PresentationGetProcessing",
        "ОбработкаПолученияПолейПредставления", "PresentationFieldsGetProcessing",
        "ОбработкаПолученияФормы", "FormGetProcessing", "ПриКомпоновкеРезультата", "OnComposeResult",
        "ПередНачаломРаботыСистемы", "BeforeStart", "ПриНачалеРаботыСистемы", "OnStart",
        "ПередЗавершениемРаботыСистемы", "BeforeExit", "ПриЗавершенииРаботыСистемы", "OnExit",
        "ОбработкаВнешнегоСобытия", "ExternalEventProcessing", "УстановкаПараметровСеанса", "SessionParametersSetting",
        "ОбработкаКоманды", "CommandProcessing", "ОбработкаОтображенияОшибки", "ErrorDisplayProcessing",
        "ОбработкаПереходаПоНавигационнойСсылке", "URLProcessing", "ОбработкаЗапускаПриложения",
        "ПриСозданииНаСервере", "OnCreateAtServer", "ПриОткрытии", "OnOpen", "ПередЗакрытием", "BeforeClose",
        "ПриЗакрытии", "OnClose", "ОбработкаОповещения", "NotificationProcessing", "ОбработкаВыбора",
        "ChoiceProcessing", "ПриЧтенииНаСервере", "OnReadAtServer", "ПередЗаписьюНаСервере", "BeforeWriteAtServer",
        "ПриЗаписиНаСервере", "OnWriteAtServer", "ПослеЗаписиНаСервере", "AfterWriteAtServer", "ПослеЗаписи",
        "AfterWrite", "ОбработкаПроверкиЗаполненияНаСервере", "FillCheckProcessingAtServer",
        "ПриЗагрузкеДанныхИзНастроекНаСервере", "OnLoadDataFromSettingsAtServer",
        "ПередЗагрузкойДанныхИзНастроекНаСервере", "BeforeLoadDataFromSettingsAtServer",
        "ПриСохраненииДанныхВНастройкахНаСервере", "OnSaveDataInSettingsAtServer", "ВнешнееСобытие", "ExternalEvent",
        "ПриПовторномОткрытии", "OnReopen", "ОбработкаНавигационнойСсылки", "ОбработкаАктивизацииОбъекта",
        "ОбработкаЗаписиНового", "NewWriteProcessing", "ПриИзмененииПараметровЭкрана",
        "ОбработкаПолученияПредставленияНаСервере", "ПередЗагрузкойВариантаНаСервере", "ПриЗагрузкеВариантаНаСервере",
        "ПриЗагрузкеПользовательскихНастроекНаСервере", "ПриОбновленииСоставаПользовательскихНастроекНаСервере",
        "ОбработкаРасшифровки", "DetailProcessing", "ОбработкаДополнительнойРасшифровки", "AdditionalDetailProcessing",
        "ПриНачалеРаботыКлиента",
    )
)  # fmt: skip

#: Not preceded by a letter, digit, ``_`` or ``.``: a global name, not a member or part of a longer name.
GLOBAL = r"(?<![\w.])"


def words(*names: str) -> str:
    """An alternation of lower-cased names (Russian and English spellings of one thing)."""
    return "|".join(sorted({re.escape(n.lower()) for n in names}, key=len, reverse=True))


def global_call(*names: str) -> re.Pattern[str]:
    """A call of a global-context method: ``Имя(`` not preceded by ``.`` or a letter."""
    return re.compile(rf"{GLOBAL}(?:{words(*names)})\s*\(")


def keyword(*names: str) -> re.Pattern[str]:
    """A keyword (or name) as a whole word."""
    return re.compile(rf"{GLOBAL}(?:{words(*names)})(?!\w)")


class CallRule(Rule):
    """A rule that reports every match of ``pattern``, each beginning at one of the ``needs_any`` words.

    ``side`` limits it to code that can run on the server or on the client.
    """

    pattern: ClassVar[re.Pattern[str]]
    message: ClassVar[str]
    #: "server" / "client" / "managed_client" (thin, web, mobile): report only calls in code that can
    #: run there; None: everywhere.
    side: ClassVar[str | None] = None

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        # A method the module declares itself shadows the global context: `Процедура Сообщить(Текст)`
        # and the calls of it are the module's own, not the deprecated global method.
        own = module.method_names  # computed once per module, shared by every call rule
        for match in module.find_all(self.pattern, self.needs_any):
            line, column = module.position(match.start())
            if own and written_name(module, line, column).lower() in own:
                continue
            if self.side is not None and not self.in_context(module, module.method_at(line)):
                continue
            yield Finding(line, column, self.message.format(name=written_name(module, line, column)))

    def in_context(self, module: ModuleSource, method: Method | None) -> bool:
        if self.side == "server":
            return module.runs_on_server(method)
        return module.runs_on_client(method, managed_only=self.side == "managed_client")


def written_name(module: ModuleSource, line: int, column: int) -> str:
    """The identifier at a position, as written in the module (original letter case)."""
    found = _NAME.match(module.lines[line - 1], column - 1)
    return found.group() if found else ""


_NAME = re.compile(r"[^\W\d]\w*")


def method_name_position(module: ModuleSource, method: Method) -> tuple[int, int]:
    """(line, column) of a method's name in its declaration — where findings about a method point."""
    line = module.lines[method.start_line - 1].lower() if method.start_line <= len(module.lines) else ""
    name = method.name.lower()
    at = line.find(name) if name else -1
    while at >= 0:  # the name as a whole word: "Функция Функ" must not stop inside the keyword
        end = at + len(name)
        if (at == 0 or not _word_char(line[at - 1])) and (end == len(line) or not _word_char(line[end])):
            return method.start_line, at + 1
        at = line.find(name, end)
    return method.start_line, len(line) - len(line.lstrip()) + 1


def _word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


class MethodRule(Rule):
    """A rule that judges each method by its row in the snapshot (size, complexity, parameters …)."""

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        for method in module.methods:
            message = self.check_method(module, method, params)
            if message:
                line, column = method_name_position(module, method)
                yield Finding(line, column, message, end_line=method.end_line)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        raise NotImplementedError


def method_body(module: ModuleSource, method: Method) -> tuple[int, int]:
    """``code`` offsets of a method's body: after its declaration's closing parenthesis, to its end."""
    start, end = module.method_code(method)
    close = module.code.find(")", start, end)
    return (close + 1 if close >= 0 else start), end


class CommonModuleNameRule(Rule):
    """A naming rule for common modules: modules with certain flags must end with one of ``suffixes``.

    Reported once per module, at its first line, from the module's metadata flags.
    """

    scope = "metadata"
    #: Accepted name endings, lower-case (Russian and English).
    suffixes: ClassVar[tuple[str, ...]]
    #: The endings this rule asks for, as the message shows them.
    expected: ClassVar[str]

    def applies(self, module: ModuleSource) -> bool:
        return module.is_common_module and self.flags_match(module.object_properties)

    def flags_match(self, props: dict[str, Any]) -> bool:
        raise NotImplementedError

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        name = (module.object_id or "").rsplit(".", 1)[-1]
        if not name.lower().endswith(self.suffixes):
            yield Finding(1, 1, f"Common module {name} should end with {self.expected}")


def client(props: dict[str, Any]) -> bool:
    # The ordinary-application flag alone does not count: configurations set it on server modules
    # too, so that a thick client can run them (the SSL does on hundreds).
    return bool(props.get("clientManagedApplication"))


def server(props: dict[str, Any]) -> bool:
    return bool(props.get("server") or props.get("externalConnection"))
