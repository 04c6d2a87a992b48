"""Build the whole site into a staging folder and rename it into place (``atomic_directory``).

Order: load and group the snapshot once (``site_data``), read the analyses' folders, render the
few site-wide pages, then the object pages — the bulk — split over a fork pool that inherits the
grouped tables (nothing is pickled but the list of objects each worker renders).
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from onec_analysis.snapshot.io import atomic_directory
from onec_analysis.worker_pool import fork_pool

from .analyses import Analysis, read_analyses
from .object_page import DIRECTIVES, REFERENCE_KINDS, object_context
from .search_index import write_search_index
from .site_data import Grouped, SiteData, load_site_data
from .urls import relative_root, type_path

log = logging.getLogger(__name__)

#: Below this many objects a pool costs more than it saves.
_POOL_THRESHOLD = 400
#: Objects whose rows are converted from Arrow at once.
_BATCH = 64
FINDINGS_FILE = "findings.parquet"
COUNTS_FILE = "counts.parquet"  # per rule: its one-line title (optional)

TYPE_TITLES = {
    "Subsystem": "Подсистемы", "CommonModule": "Общие модули", "SessionParameter": "Параметры сеанса",
    "Role": "Роли", "CommonAttribute": "Общие реквизиты", "ExchangePlan": "Планы обмена",
    "FilterCriterion": "Критерии отбора", "EventSubscription": "Подписки на события",
    "ScheduledJob": "Регламентные задания", "FunctionalOption": "Функциональные опции",
    "FunctionalOptionsParameter": "Параметры функциональных опций", "DefinedType": "Определяемые типы",
    "SettingsStorage": "Хранилища настроек", "CommonForm": "Общие формы", "CommonCommand": "Общие команды",
    "CommandGroup": "Группы команд", "CommonTemplate": "Общие макеты", "CommonPicture": "Общие картинки",
    "XDTOPackage": "XDTO-пакеты", "WebService": "Web-сервисы", "HTTPService": "HTTP-сервисы",
    "WSReference": "WS-ссылки", "StyleItem": "Элементы стиля", "Style": "Стили", "Language": "Языки",
    "Constant": "Константы", "Catalog": "Справочники", "Document": "Документы",
    "DocumentNumerator": "Нумераторы документов", "Sequence": "Последовательности",
    "DocumentJournal": "Журналы документов", "Enum": "Перечисления", "Report": "Отчёты",
    "DataProcessor": "Обработки", "ChartOfCharacteristicTypes": "Планы видов характеристик",
    "ChartOfAccounts": "Планы счетов", "ChartOfCalculationTypes": "Планы видов расчёта",
    "InformationRegister": "Регистры сведений", "AccumulationRegister": "Регистры накопления",
    "AccountingRegister": "Регистры бухгалтерии", "CalculationRegister": "Регистры расчёта",
    "BusinessProcess": "Бизнес-процессы", "Task": "Задачи", "ExternalDataSource": "Внешние источники данных",
    "IntegrationService": "Сервисы интеграции", "Bot": "Боты", "WebSocketClient": "WebSocket-клиенты",
    "PaletteColor": "Цвета палитры", "Interface": "Интерфейсы", "Configuration": "Конфигурация",
}  # fmt: skip
TYPE_SINGULAR = {
    "Subsystem": "Подсистема", "CommonModule": "Общий модуль", "Catalog": "Справочник", "Document": "Документ",
    "Enum": "Перечисление", "Report": "Отчёт", "DataProcessor": "Обработка", "Constant": "Константа",
    "InformationRegister": "Регистр сведений", "AccumulationRegister": "Регистр накопления",
    "AccountingRegister": "Регистр бухгалтерии", "CalculationRegister": "Регистр расчёта",
    "ChartOfCharacteristicTypes": "План видов характеристик", "ChartOfAccounts": "План счетов",
    "ChartOfCalculationTypes": "План видов расчёта", "ExchangePlan": "План обмена", "CommonForm": "Общая форма",
    "CommonCommand": "Общая команда", "Role": "Роль", "EventSubscription": "Подписка на событие",
    "ScheduledJob": "Регламентное задание", "DefinedType": "Определяемый тип", "BusinessProcess": "Бизнес-процесс",
    "Task": "Задача", "DocumentJournal": "Журнал документов", "SessionParameter": "Параметр сеанса",
    "FunctionalOption": "Функциональная опция", "CommonAttribute": "Общий реквизит",
    "WebService": "Web-сервис", "HTTPService": "HTTP-сервис",
}  # fmt: skip

# Set in the parent before the pool forks; workers read it (copy-on-write), nothing is pickled.
_DATA: SiteData | None = None
_OUT: Path | None = None


class _RowEnvironment(Environment):
    """Looks ``row.name`` up as a dict key first: every row here is a plain dict, and Jinja's default
    (attribute first, then key) raises and catches an AttributeError per lookup — the biggest cost
    of rendering ≈500k methods of a 1C:ERP."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment(data: SiteData) -> Environment:
    env = _RowEnvironment(
        loader=PackageLoader("onec_analysis.docs_site", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        olink=lambda root, object_id: object_link(data, root, object_id),
        olink_syn=lambda root, object_id: object_link(data, root, object_id, synonym=True),
        object_url=data.url,
        object_label=lambda object_id: _label(data, object_id),
        type_url=type_path,
        type_title=lambda type_: TYPE_TITLES.get(type_, type_),
        type_singular=lambda type_: TYPE_SINGULAR.get(type_, type_),
        directive_label=lambda directive: DIRECTIVES.get(directive, directive),
        kind_label=lambda kind: REFERENCE_KINDS.get(kind, ""),
        configurations=data.summary.get("configurations", []),
        site_name=_site_name(data),
        children_of=lambda object_id: data.children.get(object_id, []),
        best_practices=data.best_practices,
    )
    env.filters["thousands"] = lambda number: (
        f"{number:,}".replace(",", "\u202f") if isinstance(number, int) else number
    )
    return env


def object_link(data: SiteData, root: str, object_id: str | None, *, synonym: bool = False) -> Markup:
    """A link to an object's page, labelled with its id (its synonym as tooltip or beside it).

    A Python helper rather than a Jinja macro: pages carry tens of thousands of these links and a
    macro call (or ``Markup.format``) costs several times more. The id and the synonym are escaped;
    *root* and the page path are ASCII slugs this package made (``urls``), nothing to escape there.
    """
    if not object_id:
        return Markup("")
    url = data.url(object_id)
    label = _label(data, object_id)
    text = escape(object_id)
    if url is None:
        return Markup(f'<span class="obj unresolved" title="нет в снимке">{text}</span>')
    if synonym:
        after = f' <span class="syn">{escape(label)}</span>' if label else ""
        return Markup(f'<a class="obj" href="{root}{url}">{text}</a>{after}')
    title = f' title="{escape(label)}"' if label else ""
    return Markup(f'<a class="obj" href="{root}{url}"{title}>{text}</a>')


def _site_name(data: SiteData) -> str:
    names = [c.get("name") for c in data.summary.get("configurations", []) if c.get("name")]
    return f"Документация {names[0]}" if names else "Документация конфигурации"


def _label(data: SiteData, object_id: str | None) -> str:
    obj = data.by_id.get(object_id or "")
    if obj and obj.get("synonym") and obj["synonym"] != obj["name"]:
        return obj["synonym"]
    return ""


def _write(out: Path, page: str, html: str) -> None:
    target = out / page
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, encoding="utf-8")


def _render_objects(span: tuple[int, int]) -> int:
    """Render the object pages of ``_DATA.objects[start:stop]``; return pages written."""
    assert _DATA is not None and _OUT is not None
    env = make_environment(_DATA)
    template = env.get_template("object.j2")
    start, stop = span
    for batch in range(start, stop, _BATCH):
        objects = _DATA.objects[batch : min(batch + _BATCH, stop)]
        _DATA.preload([obj["object_id"] for obj in objects])
        for obj in objects:
            page = _DATA.paths[obj["object_id"]]
            html = template.render(
                root=relative_root(page), page=page, nav="objects", **object_context(_DATA, obj)
            )
            _write(_OUT, page, html)
    return stop - start


def _spans(weights: list[int], parts: int) -> list[tuple[int, int]]:
    """Cut ``range(len(weights))`` into *parts* contiguous spans of about equal total weight.

    Contiguous, because neighbours in object order are neighbours in every grouped table (one
    ``to_pylist`` per batch); many more parts than workers, so one huge module does not leave a
    core idle at the end.
    """
    total = sum(weights) or 1
    spans, start, running = [], 0, 0
    for index, weight in enumerate(weights):
        running += weight
        if running >= total * (len(spans) + 1) / parts and index + 1 > start:
            spans.append((start, index + 1))
            start = index + 1
    if start < len(weights):
        spans.append((start, len(weights)))
    return spans


def _render_all_objects(data: SiteData, out: Path, workers: int) -> int:
    global _DATA, _OUT
    _DATA, _OUT = data, out
    folders = {str(Path(page).parent) for page in data.paths.values()}
    for folder in folders:
        (out / folder).mkdir(parents=True, exist_ok=True)
    # Weight by method rows so the spans hold about the same amount of HTML to produce.
    weights = [4 + data.methods.count(obj["object_id"]) for obj in data.objects]
    try:
        if workers <= 1 or len(data.objects) < _POOL_THRESHOLD:
            return _render_objects((0, len(data.objects)))
        with fork_pool(workers) as pool:
            return sum(pool.imap_unordered(_render_objects, _spans(weights, workers * 8)))
    finally:
        _DATA, _OUT = None, None


def _findings(analysis: Analysis, data: SiteData) -> tuple[list[dict[str, Any]], Grouped | None]:
    """Counts per rule and the findings grouped by object, from ``best_practices/findings.parquet``."""
    if not analysis.present or analysis.folder is None:
        return [], None
    path = analysis.folder / FINDINGS_FILE
    if not path.is_file():
        analysis.present = False
        analysis.problem = f"в {analysis.folder} нет {FINDINGS_FILE}"
        return [], None
    table = pq.read_table(path)
    missing = {"rule", "severity", "object_id", "message"} - set(table.column_names)
    if missing:
        analysis.present = False
        analysis.problem = f"{path}: нет колонок {', '.join(sorted(missing))}"
        return [], None
    per_rule = table.group_by(
        ["rule", "severity"] + (["type"] if "type" in table.column_names else [])
    ).aggregate([("object_id", "count"), ("object_id", "count_distinct")])
    rules = sorted(per_rule.to_pylist(), key=lambda row: (-row["object_id_count"], row["rule"] or ""))
    titles = _rule_titles(analysis.folder / COUNTS_FILE)
    for row in rules:
        row["title"] = titles.get(row["rule"], "")
    ordering = [column for column in ("path", "line", "column", "rule") if column in table.column_names]
    return rules, Grouped.build(table, "object_id", ordering)


def _rule_titles(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    table = pq.read_table(path)
    if not {"rule", "title"} <= set(table.column_names):
        return {}
    return dict(zip(table["rule"].to_pylist(), table["title"].to_pylist(), strict=True))


def build_site(
    snapshot: Path, analyses: Path | None, out: Path, *, workers: int | None = None
) -> dict[str, Any]:
    """Write the documentation site of *snapshot* (and the analyses in *analyses*) into *out*, atomically."""
    started = time.perf_counter()
    workers = workers or min(os.cpu_count() or 1, 4)
    data = load_site_data(Path(snapshot))
    loaded = time.perf_counter()
    out = Path(out)
    with atomic_directory(out) as staging:
        static = resources.files("onec_analysis.docs_site") / "static"
        (staging / "assets").mkdir()
        for name in ("site.css", "search.js"):
            (staging / "assets" / name).write_bytes((static / name).read_bytes())
        found = read_analyses(analyses, staging)
        rules, data.findings = _findings(found["best_practices"], data)
        data.best_practices = found["best_practices"]
        env = make_environment(data)
        analysed = time.perf_counter()
        pages = _render_site_pages(env, data, found, rules, staging)
        pages += _render_all_objects(data, staging, workers)
        rendered = time.perf_counter()
        search = write_search_index(data, staging / "search-index.js")
    finished = time.perf_counter()
    summary = {
        "site": str(out),
        "pages": pages,
        "objects": len(data.objects),
        "problems": len(data.problems),
        "analyses": {
            name: ("present" if item.present else f"missing: {item.problem}") for name, item in found.items()
        },
        "search_index": search,
        "seconds": {
            "load": round(loaded - started, 2),
            "analyses": round(analysed - loaded, 2),
            "pages": round(rendered - analysed, 2),
            "search_index": round(finished - rendered, 2),
            "total": round(finished - started, 2),
        },
    }
    log.info(
        "docs: %d pages (%d objects) in %.1fs (%s) -> %s",
        pages,
        len(data.objects),
        finished - started,
        ", ".join(f"{step} {seconds}s" for step, seconds in summary["seconds"].items() if step != "total"),
        out,
    )
    return summary


def _render_site_pages(
    env: Environment, data: SiteData, found: dict[str, Analysis], rules: list[dict[str, Any]], out: Path
) -> int:
    common = {"analyses": found}
    pages: dict[str, tuple[str, dict[str, Any]]] = {
        "index.html": ("overview.j2", {"nav": "overview", **_overview(data)}),
        "subsystems.html": ("subsystems.j2", {"nav": "subsystems", "roots": _subsystem_roots(data)}),
        "types.html": ("types.j2", {"nav": "objects", "types": _type_counts(data)}),
        "problems.html": (
            "problems.j2",
            {"nav": "problems", "problems": data.problems, "by_kind": _problem_kinds(data)},
        ),
        "architecture.html": ("analysis.j2", {"nav": "architecture", "analysis": found["architecture"]}),
        "dependencies.html": ("dependencies.j2", {"nav": "dependencies", "analysis": found["dependencies"]}),
        "best-practices.html": (
            "best_practices.j2",
            {
                "nav": "best_practices",
                "analysis": found["best_practices"],
                "rules": rules,
                **_worst_objects(data),
            },
        ),
        "dataset.html": (
            "dataset.j2",
            {"nav": "dataset", "analysis": found["dataset"], "card_html": _card(found["dataset"])},
        ),
    }
    for type_, objects in data.types.items():
        pages[type_path(type_)] = ("type.j2", {"nav": "objects", "type": type_, "objects": objects})
    for page, (template, context) in pages.items():
        html = env.get_template(template).render(root=relative_root(page), page=page, **common, **context)
        _write(out, page, html)
    return len(pages)


def _overview(data: SiteData) -> dict[str, Any]:
    counts = data.summary.get("counts", {})
    return {
        "summary": data.summary,
        "counts": counts,
        "types": _type_counts(data),
        "roots": [obj for obj in data.types.get("Subsystem", []) if not obj["parent_id"]],
    }


def _type_counts(data: SiteData) -> list[dict[str, Any]]:
    return sorted(
        ({"type": type_, "count": len(objects)} for type_, objects in data.types.items()),
        key=lambda row: (-row["count"], row["type"]),
    )


def _subsystem_roots(data: SiteData) -> list[str]:
    return [obj["object_id"] for obj in data.types.get("Subsystem", []) if not obj["parent_id"]]


def _problem_kinds(data: SiteData) -> list[tuple[str, int]]:
    return sorted(
        Counter(row["kind"] or "" for row in data.problems).items(), key=lambda item: (-item[1], item[0])
    )


def _worst_objects(data: SiteData) -> dict[str, Any]:
    if data.findings is None:
        return {"objects_with_findings": []}
    table = data.findings.table
    grouped = (
        table.group_by(["object_id"]).aggregate([("rule", "count")]).sort_by([("rule_count", "descending")])
    )
    rows = grouped.to_pylist()
    without_object = int(pc.sum(pc.is_null(table["object_id"])).as_py() or 0) if table.num_rows else 0
    return {"objects_with_findings": rows, "findings_without_object": without_object}


def _card(analysis: Analysis) -> str:
    """The dataset card rendered from Markdown with raw HTML disabled (so it cannot inject markup)."""
    if not analysis.present:
        return ""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(analysis.card)
