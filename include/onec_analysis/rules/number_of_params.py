"""NumberOfParams: methods with too many parameters."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class NumberOfParams(MethodRule):
    """A method with more than ``max_params_count`` parameters (7 by default).

    ## What it does
    Reports procedures and functions declared with more parameters than the threshold.

    ## Why is this bad
    A long parameter list is hard to call correctly — arguments are positional in 1C, so two swapped
    values of one type compile and run wrongly — and every new parameter changes every caller. The
    standards recommend at most seven and a structure of parameters beyond that.

    ## Example
    ```bsl
    Процедура СоздатьЗадачу(Автор, Исполнитель, Срок, Важность, Описание, Предмет, Проект, Группа)
    ```

    ## Use instead
    ```bsl
    // ПараметрыЗадачи - Структура: Автор, Исполнитель, Срок, Важность, Описание, Предмет, Проект, Группа
    Процедура СоздатьЗадачу(ПараметрыЗадачи)
    ```
    """

    key = "NumberOfParams"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("standard", "brainoverload")
    apk = (134,)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        limit = params["max_params_count"]
        if len(method.param_names) > limit:
            return (
                f"{method.name} has {len(method.param_names)} parameters, more than {limit}: pass a structure"
            )
        return None
