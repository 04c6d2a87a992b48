"""UsingSynchronousCalls: synchronous file and extension methods in client code."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, global_call
from onec_analysis.rules.registry import register

SYNCHRONOUS_METHODS = (
    "УстановитьВнешнююКомпоненту", "InstallAddIn",
    "УстановитьРасширениеРаботыСФайлами", "InstallFileSystemExtension",
    "УстановитьРасширениеРаботыСКриптографией", "InstallCryptoExtension",
    "ПодключитьРасширениеРаботыСКриптографией", "AttachCryptoExtension",
    "ПодключитьРасширениеРаботыСФайлами", "AttachFileSystemExtension",
    "ПоместитьФайл", "PutFile", "ПоместитьФайлы", "PutFiles", "ПолучитьФайлы", "GetFiles",
    "КопироватьФайл", "FileCopy", "ПереместитьФайл", "MoveFile", "НайтиФайлы", "FindFiles",
    "УдалитьФайлы", "DeleteFiles", "СоздатьКаталог", "CreateDirectory",
    "КаталогДокументов", "DocumentsDir", "РабочийКаталогДанныхПользователя", "UserDataWorkDir",
    "ЗапроситьРазрешениеПользователя", "RequestUserPermission",
)  # fmt: skip


@register
class UsingSynchronousCalls(CallRule):
    """Synchronous file, add-in and extension methods in client code.

    ## What it does
    Reports calls of the global methods that have asynchronous counterparts (``КопироватьФайл``,
    ``НайтиФайлы``, ``ПоместитьФайл``, ``ПодключитьРасширениеРаботыСФайлами`` …) in code that runs on
    a managed application's client (thin, web, mobile): client methods of forms and commands, and
    common modules compiled for the managed client. Modal dialogs (``Вопрос``, ``Предупреждение`` …)
    are UsingModalWindows.

    ## Why is this bad
    Web browsers do not allow a page to block while it waits for the file system or an extension, so a
    configuration whose synchronous-calls mode is "do not use" fails at these lines in the web client,
    and on a thin client they freeze the interface. The standards require the asynchronous methods
    with a notification handler.

    ## Example
    ```bsl
    &НаКлиенте
    Процедура Выгрузить(Команда)
        КопироватьФайл(Источник, Приемник);
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    &НаКлиенте
    Процедура Выгрузить(Команда)
        НачатьКопированиеФайла(Новый ОписаниеОповещения("ПослеКопирования", ЭтотОбъект), Источник, Приемник);
    КонецПроцедуры
    ```
    """

    key = "UsingSynchronousCalls"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "unpredictable")
    apk = (566,)
    needs_any = tuple(name.lower() for name in SYNCHRONOUS_METHODS)
    pattern = global_call(*SYNCHRONOUS_METHODS)
    side = "managed_client"
    message = "{name}() blocks the client: use its asynchronous counterpart (Начать…/…Асинх)"
