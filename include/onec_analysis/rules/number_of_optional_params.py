"""NumberOfOptionalParams: methods with too many optional parameters."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class NumberOfOptionalParams(MethodRule):
    """A method with more than ``max_optional_params_count`` optional parameters (3 by default).

    ## What it does
    Reports methods with more parameters that have default values than the threshold.

    ## Why is this bad
    Optional parameters are skipped by position, so calls fill up with commas
    (``Метод(А, , , , Истина)``) that nobody can read without opening the declaration, and a new
    optional parameter in the middle silently shifts every such call.

    ## Example
    ```bsl
    Функция Настройки(Вид, Отбор = Неопределено, Порядок = "", Количество = 0, СИерархией = Ложь)
    ```

    ## Use instead
    ```bsl
    // ДополнительныеПараметры - Структура: Отбор, Порядок, Количество, СИерархией
    Функция Настройки(Вид, ДополнительныеПараметры = Неопределено)
    ```
    """

    key = "NumberOfOptionalParams"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("standard", "brainoverload")
    apk = (142,)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        limit = params["max_optional_params_count"]
        optional = method.optional_params
        if optional > limit:
            return f"{method.name} has {optional} optional parameters, more than {limit}"
        return None
