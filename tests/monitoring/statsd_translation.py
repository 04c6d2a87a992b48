"""statsd-exporter's line parsing and mapping rules, re-implemented for the tests only.

The statsd-exporter binary cannot be installed here, so the tests replay captured Airflow UDP lines
through this translator. It implements exactly the documented features
``monitoring/statsd-exporter/mapping.yml`` uses, with the exporter's own rules:

- line protocol ``name[,tag=value...]:value|type[|@rate]``; several lines per packet; InfluxDB-style
  tags (after the first comma of the name) become labels, label names escaped like the exporter does;
- types ``c`` (counter: value divided by the sample rate), ``g`` (gauge; a leading sign with a
  non-gauge-set value is a delta, sample rate ignored), ``ms``/``h``/``d`` (observer: ``ms`` values
  become seconds, observed ``1/rate`` times);
- mapping validation (match, name and label-name syntax the exporter rejects at start-up);
- glob rules first: ``*`` is one whole dot-free component, components must line up one to one,
  rules in file order with the first match winning (``glob_disable_ordering: false``);
  then regex rules in file order (unanchored search, as Go's ``FindStringSubmatchIndex``);
- ``match_metric_type`` (counter, gauge, observer; ``timer`` is the exporter's older spelling);
- ``$1`` / ``${1}`` in names and label values; mapping labels override tag labels (the default,
  ``honor_labels: false``); ``action: drop``;
- an unmapped name "falls through" under its escaped name (the tests assert that never happens).

Anything else (DogStatsD ``|#`` tags, Librato ``#`` tags, multi-value lines, partial-component
globs) raises ``UnsupportedStatsd`` so a test fails instead of guessing.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml

_STATSD_METRIC = r"[a-zA-Z_](-?[a-zA-Z0-9_])*"
_TEMPLATE = r"(\$\{?\d+\}?)"
GLOB_MATCH_RE = re.compile(r"^(\*\.|" + _STATSD_METRIC + r"\.)+(\*|" + _STATSD_METRIC + r")$")
METRIC_NAME_RE = re.compile(r"^([a-zA-Z_]|" + _TEMPLATE + r")([a-zA-Z0-9_]|" + _TEMPLATE + r")*$")
LABEL_NAME_RE = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]+$")
_TEMPLATE_REF = re.compile(r"\$\{(\d+)\}|\$(\d+)")

STATSD_TYPES = {"c": "counter", "g": "gauge", "ms": "observer", "h": "observer", "d": "observer"}
MATCH_METRIC_TYPES = {"counter": "counter", "gauge": "gauge", "observer": "observer", "timer": "observer"}


class UnsupportedStatsd(ValueError):
    """A line or mapping uses a feature this translator does not implement."""


class InvalidMapping(ValueError):
    """The mapping would be rejected by statsd-exporter at start-up."""


def escape_name(name: str) -> str:
    """statsd-exporter's EscapeMetricName: anything but [a-zA-Z0-9_] becomes `_`."""
    if not name:
        return name
    escaped = re.sub(r"[^a-zA-Z0-9_]", "_", name)
    return "_" + escaped if escaped[0].isdigit() else escaped


@dataclass(frozen=True)
class Event:
    """One statsd sample as the exporter sees it after parsing a line."""

    line: str
    name: str
    kind: str  # counter | gauge | observer
    value: float
    rate: float
    tags: tuple[tuple[str, str], ...]
    relative: bool = False  # gauge given as +n / -n
    type_code: str = "c"


def parse_line(line: str) -> Event:
    try:
        name_part, rest = line.split(":", 1)
    except ValueError as exc:
        raise UnsupportedStatsd(f"no ':' in statsd line {line!r}") from exc
    if "#" in name_part or "|#" in rest:
        raise UnsupportedStatsd(f"Librato/DogStatsD tags are not used by this mapping: {line!r}")
    fields = rest.split("|")
    if len(fields) < 2 or ":" in fields[0]:
        raise UnsupportedStatsd(f"expected one value and a type in {line!r}")
    value_text, type_code, *options = fields
    if type_code not in STATSD_TYPES:
        raise UnsupportedStatsd(f"statsd type {type_code!r} in {line!r}")
    rate = 1.0
    for option in options:
        if option.startswith("@"):
            rate = float(option[1:])
        else:
            raise UnsupportedStatsd(f"option {option!r} in {line!r}")
    name, *tag_parts = name_part.split(",")
    tags = []
    for part in tag_parts:
        key, sep, val = part.partition("=")
        if not sep or not key:
            raise UnsupportedStatsd(f"malformed InfluxDB tag {part!r} in {line!r}")
        tags.append((escape_name(key), val))
    kind = STATSD_TYPES[type_code]
    relative = kind == "gauge" and value_text[:1] in "+-"
    return Event(line, name, kind, float(value_text), rate, tuple(tags), relative, type_code)


def parse_packet(packet: bytes) -> list[Event]:
    return [parse_line(line) for line in packet.decode().splitlines() if line.strip()]


def _expand(template: str, captures: list[str]) -> str:
    def sub(match: re.Match) -> str:
        index = int(match.group(1) or match.group(2))
        return captures[index - 1] if 0 < index <= len(captures) else ""

    return _TEMPLATE_REF.sub(sub, template)


@dataclass
class Rule:
    index: int
    match: str
    match_type: str
    name: str
    labels: dict[str, str]
    metric_type: str | None
    action: str
    regex: re.Pattern | None = None

    def glob_captures(self, name: str) -> list[str] | None:
        pattern = self.match.split(".")
        parts = name.split(".")
        if len(pattern) != len(parts):
            return None
        captures = []
        for want, got in zip(pattern, parts, strict=True):
            if want == "*":
                captures.append(got)
            elif want != got:
                return None
        return captures


@dataclass(frozen=True)
class Mapped:
    """Where one event lands: a Prometheus metric name and labels, or dropped / unmapped."""

    event: Event
    rule: Rule | None
    metric: str | None
    labels: tuple[tuple[str, str], ...]

    @property
    def dropped(self) -> bool:
        return self.rule is not None and self.rule.action == "drop"

    @property
    def fell_through(self) -> bool:
        return self.rule is None


class Mapper:
    """Loads a statsd-exporter mapping file and maps events the way the exporter does."""

    def __init__(self, path: Path) -> None:
        config = yaml.safe_load(Path(path).read_text())
        defaults = config.get("defaults") or {}
        if defaults.get("glob_disable_ordering"):
            raise UnsupportedStatsd("glob_disable_ordering: true is not implemented")
        default_match_type = defaults.get("match_type") or "glob"
        self.rules: list[Rule] = []
        for index, raw in enumerate(config.get("mappings") or []):
            unknown = set(raw) - {"match", "match_type", "name", "labels", "match_metric_type", "action"}
            if unknown:
                raise UnsupportedStatsd(f"mapping {index} uses {sorted(unknown)}")
            rule = Rule(
                index=index,
                match=raw["match"],
                match_type=raw.get("match_type", default_match_type),
                name=raw.get("name", ""),
                labels={k: str(v) for k, v in (raw.get("labels") or {}).items()},
                metric_type=MATCH_METRIC_TYPES[raw["match_metric_type"]]
                if raw.get("match_metric_type")
                else None,
                action=raw.get("action", "map"),
            )
            self._validate(rule)
            self.rules.append(rule)

    @staticmethod
    def _validate(rule: Rule) -> None:
        where = f"mapping {rule.index} ({rule.match!r})"
        for label in rule.labels:
            if not LABEL_NAME_RE.match(label):
                raise InvalidMapping(f"{where}: invalid label key {label!r}")
        if not rule.name:
            raise InvalidMapping(f"{where}: metric mapping didn't set a metric name")
        if not METRIC_NAME_RE.match(rule.name):
            raise InvalidMapping(f"{where}: metric name {rule.name!r} is not valid")
        if rule.action not in {"map", "drop"}:
            raise InvalidMapping(f"{where}: unknown action {rule.action!r}")
        if rule.match_type == "glob":
            if not GLOB_MATCH_RE.match(rule.match):
                raise InvalidMapping(f"{where}: invalid glob match")
        elif rule.match_type == "regex":
            rule.regex = re.compile(rule.match)
        else:
            raise InvalidMapping(f"{where}: unknown match_type {rule.match_type!r}")

    def find(self, name: str, kind: str) -> tuple[Rule, list[str]] | None:
        for rule in self.rules:
            if rule.match_type != "glob" or (rule.metric_type and rule.metric_type != kind):
                continue
            captures = rule.glob_captures(name)
            if captures is not None:
                return rule, captures
        for rule in self.rules:
            if rule.regex is None or (rule.metric_type and rule.metric_type != kind):
                continue
            found = rule.regex.search(name)
            if found:
                return rule, [group or "" for group in found.groups()]
        return None

    def map(self, event: Event) -> Mapped:
        found = self.find(event.name, event.kind)
        if found is None:
            return Mapped(event, None, escape_name(event.name), tuple(sorted(event.tags)))
        rule, captures = found
        labels = dict(event.tags)
        labels.update({key: _expand(value, captures) for key, value in rule.labels.items()})
        return Mapped(event, rule, _expand(rule.name, captures), tuple(sorted(labels.items())))


@dataclass
class Series:
    """The exporter's state for one metric name + label set."""

    kind: str
    value: float = 0.0
    observations: list[float] = field(default_factory=list)


class Exposition:
    """Accumulates mapped events into series, as the exporter's registry would."""

    def __init__(self, buckets: list[float]) -> None:
        self.buckets = sorted(buckets)
        self.series: dict[tuple[str, tuple[tuple[str, str], ...]], Series] = {}
        self.label_sets: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        self.kinds: dict[str, set[str]] = defaultdict(set)

    def add(self, mapped: Mapped) -> None:
        if mapped.dropped or mapped.metric is None:
            return
        event = mapped.event
        self.kinds[mapped.metric].add(event.kind)
        self.label_sets[mapped.metric].add(tuple(k for k, _ in mapped.labels))
        series = self.series.setdefault((mapped.metric, mapped.labels), Series(event.kind))
        if event.kind == "counter":
            series.value += event.value / event.rate
        elif event.kind == "gauge":
            series.value = series.value + event.value if event.relative else event.value
        else:
            seconds = event.value / 1000.0 if event.type_code == "ms" else event.value
            series.observations.extend([seconds] * max(1, round(1 / event.rate)))

    def samples(self) -> list[tuple[str, str, str, dict[str, str], float]]:
        """(family, kind, sample name, labels, value); histograms expanded to _bucket/_sum/_count."""
        out: list[tuple[str, str, str, dict[str, str], float]] = []
        for (metric, labels), series in sorted(self.series.items()):
            base = dict(labels)
            if series.kind != "observer":
                out.append((metric, series.kind, metric, base, series.value))
                continue
            for bound in [*self.buckets, math.inf]:
                le = "+Inf" if bound == math.inf else repr(float(bound))
                count = sum(1 for obs in series.observations if obs <= bound)
                out.append((metric, "observer", f"{metric}_bucket", {**base, "le": le}, float(count)))
            out.append((metric, "observer", f"{metric}_sum", base, float(sum(series.observations))))
            out.append((metric, "observer", f"{metric}_count", base, float(len(series.observations))))
        return out

    def openmetrics(self, timestamps: list[float]) -> str:
        """The exposition as OpenMetrics text, every sample repeated at each of ``timestamps``.

        Counters are written as OpenMetrics ``unknown`` so `promtool tsdb create-blocks-from
        openmetrics` keeps the exporter's names (ending in ``_total``) unchanged.
        """
        om_type = {"counter": "unknown", "gauge": "gauge", "observer": "histogram"}
        by_family: dict[tuple[str, str], list[tuple[str, dict[str, str], float]]] = defaultdict(list)
        for family, kind, name, labels, value in self.samples():
            by_family[(family, kind)].append((name, labels, value))
        lines: list[str] = []
        for (family, kind), samples in sorted(by_family.items()):
            lines.append(f"# TYPE {family} {om_type[kind]}")
            for name, labels, value in samples:
                rendered = ",".join(f'{k}="{_escape_value(v)}"' for k, v in sorted(labels.items()))
                label_text = "{" + rendered + "}" if rendered else ""
                for ts in timestamps:
                    lines.append(f"{name}{label_text} {value!r} {ts:.3f}")
        lines.append("# EOF")
        return "\n".join(lines) + "\n"


def _escape_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def load_buckets(path: Path) -> list[float]:
    config = yaml.safe_load(Path(path).read_text())
    return [float(b) for b in config["defaults"]["histogram_options"]["buckets"]]


def openmetrics_timeline(
    mapper: Mapper,
    buckets: list[float],
    timed_events: list[tuple[float, Event]],
    step: float,
    tail: float = 0.0,
) -> str:
    """What Prometheus would have scraped from the exporter every ``step`` seconds, as OpenMetrics.

    The events are replayed in arrival order into one exposition; after each step its full state is
    written at that timestamp, so counters grow and histograms fill as they did during the run.
    Input for `promtool tsdb create-blocks-from openmetrics`.
    """
    ordered = sorted(timed_events, key=lambda item: item[0])
    if not ordered:
        raise ValueError("no statsd events to translate")
    expo = Exposition(buckets)
    start, end = ordered[0][0], ordered[-1][0] + tail
    index = 0
    history: dict[tuple[str, str, str, tuple[tuple[str, str], ...]], list[tuple[float, float]]] = defaultdict(
        list
    )
    moment = start + step
    while True:
        while index < len(ordered) and ordered[index][0] <= moment:
            expo.add(mapper.map(ordered[index][1]))
            index += 1
        for family, kind, name, labels, value in expo.samples():
            history[(family, kind, name, tuple(sorted(labels.items())))].append((moment, value))
        if moment >= end:
            break
        moment += step
    om_type = {"counter": "unknown", "gauge": "gauge", "observer": "histogram"}
    lines: list[str] = []
    current_family = None
    for (family, kind, name, labels), points in sorted(history.items()):
        if family != current_family:
            lines.append(f"# TYPE {family} {om_type[kind]}")
            current_family = family
        rendered = ",".join(f'{k}="{_escape_value(v)}"' for k, v in labels)
        label_text = "{" + rendered + "}" if rendered else ""
        lines.extend(f"{name}{label_text} {value!r} {ts:.3f}" for ts, value in points)
    lines.append("# EOF")
    return "\n".join(lines) + "\n"
