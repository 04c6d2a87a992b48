"""Reading the generated Grafana dashboards: their panels, PromQL queries and variables."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from tests.monitoring.conftest import MONITORING

GRAFANA = MONITORING / "grafana"
DASHBOARD_FILES = sorted((GRAFANA / "dashboards").glob("*.json"))
VARIABLE_RE = re.compile(r"\$(\w+)|\$\{(\w+)\}")


@dataclass(frozen=True)
class Query:
    dashboard: str
    panel: str
    ref: str
    expr: str

    def concrete(self, rate_interval: str = "5m", range_: str = "1h", all_value: str = ".*") -> str:
        """The query as Grafana would send it with every variable set to All."""
        expr = self.expr.replace("$__rate_interval", rate_interval).replace("$__range", range_)
        return VARIABLE_RE.sub(all_value, expr)

    @property
    def id(self) -> str:
        return f"{self.dashboard}/{self.panel}/{self.ref}"


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def panels(dashboard: dict) -> list[dict]:
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def prometheus_queries() -> list[Query]:
    out = []
    for path in DASHBOARD_FILES:
        board = load(path)
        for item in panels(board):
            for tgt in item["targets"]:
                if tgt["datasource"]["type"] == "prometheus":
                    out.append(Query(board["uid"], item["title"], tgt["refId"], tgt["expr"]))
    return out


def variable_queries() -> list[tuple[str, str, str, str]]:
    """(dashboard uid, variable name, metric selector, label) of every label_values() variable."""
    out = []
    for path in DASHBOARD_FILES:
        board = load(path)
        for var in board["templating"]["list"]:
            found = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", var["query"]["query"])
            assert found, f"{board['uid']} ${var['name']}: only label_values(metric, label) is used"
            out.append((board["uid"], var["name"], found.group(1), found.group(2)))
    return out
