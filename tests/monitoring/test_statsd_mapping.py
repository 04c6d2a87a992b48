"""The statsd-exporter mapping covers what Airflow 3.3.2 emits with tags on and legacy names off.

The replay of a real Airflow run lives in test_statsd_capture.py; these tests check the mapping
against Airflow's own metrics registry (every metric it declares) and against the reference capture
in ../shared/reference, which was taken with legacy names on and shows why they must be off.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from tests.monitoring.statsd_translation import (
    Event,
    Exposition,
    InvalidMapping,
    Mapper,
    UnsupportedStatsd,
    load_buckets,
    parse_line,
    parse_packet,
)

REPO = Path(__file__).resolve().parents[2]
MAPPING = REPO / "monitoring" / "statsd-exporter" / "mapping.yml"
REFERENCE = REPO.parent / "shared" / "reference" / "airflow-3.3.2-statsd-names.txt"

#: Registry entries of executors and providers this platform does not run (Kubernetes, AWS, Edge,
#: OpenLineage). Mapping them would only add rules no test could exercise.
NOT_ON_THIS_PLATFORM = (
    "kubernetes_executor.",
    "batch_executor.",
    "ecs_executor.",
    "lambda_executor.",
    "edge_worker.",
    "edge_executor.",
    "ol.",
)
STATSD_CODE = {"counter": "c", "gauge": "g", "timer": "ms"}


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper(MAPPING)


def airflow_registry() -> list[dict]:
    spec = importlib.util.find_spec("airflow")
    assert spec and spec.submodule_search_locations, "apache-airflow is not installed in this venv"
    path = (
        Path(next(iter(spec.submodule_search_locations)))
        / "_shared/observability/metrics/metrics_template.yaml"
    )
    return yaml.safe_load(path.read_text())["metrics"]


def registry_line(entry: dict) -> str:
    """A statsd line Airflow would send for this registry entry with InfluxDB tags on."""
    name = re.sub(r"\{(\w+)\}", lambda m: {"job_name": "job"}.get(m.group(1), "x"), entry["name"])
    tags = "".join(
        f",{var}=v-{var}" for var in entry.get("name_variables", []) if "{" + var + "}" not in entry["name"]
    )
    value = "12.5" if entry["type"] == "timer" else "1"
    return f"airflow.{name}{tags}:{value}|{STATSD_CODE[entry['type']]}"


def test_mapping_passes_the_exporters_start_up_validation(mapper: Mapper) -> None:
    assert len(mapper.rules) > 40
    assert {r.match_type for r in mapper.rules} == {"glob", "regex"}


def test_translator_rejects_what_the_exporter_rejects(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("mappings:\n- match: airflow.*x\n  name: foo\n")
    with pytest.raises(InvalidMapping, match="invalid glob"):
        Mapper(bad)
    bad.write_text("mappings:\n- match: airflow.x\n  name: foo-bar\n")
    with pytest.raises(InvalidMapping, match="metric name"):
        Mapper(bad)
    with pytest.raises(UnsupportedStatsd):
        parse_line("airflow.x:1|c|#dag_id:a")


def test_line_parsing_follows_the_statsd_protocol() -> None:
    events = parse_packet(
        b"airflow.ti.finish,dag_id=d,task_id=grp.t,state=success:1|c\n"
        b"airflow.scheduler.dag_bag.cache_size:3|g|@0.1\nairflow.task.duration,dag_id=d:1500|ms"
    )
    assert [e.kind for e in events] == ["counter", "gauge", "observer"]
    assert events[0].tags == (("dag_id", "d"), ("task_id", "grp.t"), ("state", "success"))
    assert events[1].rate == 0.1
    expo = Exposition([1.0, 2.0])
    mapper = Mapper(MAPPING)
    for event in events:
        expo.add(mapper.map(event))
    samples = {(name, tuple(sorted(labels.items()))): value for _, _, name, labels, value in expo.samples()}
    assert samples[("airflow_dag_bag_cache_size", (("component", "scheduler"),))] == 3.0  # rate ignored
    assert samples[("airflow_task_duration_seconds_sum", (("dag_id", "d"),))] == 1.5  # ms -> s
    assert samples[("airflow_task_duration_seconds_bucket", (("dag_id", "d"), ("le", "1.0")))] == 0.0


def test_glob_first_match_wins_and_types_are_separate(mapper: Mapper) -> None:
    gauge = mapper.map(parse_line("airflow.ti.running,queue=default,dag_id=d,task_id=t:2|g"))
    counter = mapper.map(parse_line("airflow.ti.start,dag_id=d,task_id=t:1|c"))
    assert (gauge.metric, dict(gauge.labels)["state"]) == ("airflow_task_instances", "running")
    assert counter.metric == "airflow_task_instance_starts_total"
    pool = mapper.map(parse_line("airflow.pool.open_slots,pool_name=default_pool:128|g"))
    assert (pool.metric, dict(pool.labels)) == (
        "airflow_pool_slots",
        {"pool_name": "default_pool", "state": "open"},
    )


@pytest.mark.parametrize(
    "entry",
    [e for e in airflow_registry() if not e["name"].startswith(NOT_ON_THIS_PLATFORM)],
    ids=lambda e: e["name"],
)
def test_every_registry_metric_lands_on_a_labelled_metric(mapper: Mapper, entry: dict) -> None:
    mapped = mapper.map(parse_line(registry_line(entry)))
    assert not mapped.fell_through, f"{registry_line(entry)} is not mapped"
    assert not mapped.dropped
    assert mapped.metric.startswith("airflow_")
    kind = mapped.event.kind
    if kind == "counter":
        assert mapped.metric.endswith("_total")
    if kind == "observer":
        assert mapped.metric.endswith("_seconds")
    # every name variable survives as a label (from the tag, or from a glob capture)
    labels = dict(mapped.labels)
    for var in entry.get("name_variables", []):
        assert var in labels or any(v == "x" for v in labels.values()), f"{var} lost for {entry['name']}"


def test_the_per_dag_first_task_delay_duplicate_is_dropped_not_double_counted(mapper: Mapper) -> None:
    """dagrun.py emits this value twice: once tagged, once with dag_id inside the name."""
    tagged = mapper.map(
        parse_line("airflow.dagrun.first_task_scheduling_delay,dag_id=a.b,run_type=manual:40|ms")
    )
    per_dag = mapper.map(
        parse_line("airflow.dagrun.a.b.first_task_scheduling_delay,dag_id=a.b,run_type=manual:40|ms")
    )
    assert tagged.metric == "airflow_dagrun_first_task_scheduling_delay_seconds"
    assert per_dag.dropped


def reference_names() -> list[tuple[str, str]]:
    if not REFERENCE.is_file():
        pytest.fail(f"{REFERENCE} is missing: the tests need ../shared beside the repo")
    rows = []
    for raw in REFERENCE.read_text().splitlines():
        name, _, kind = raw.partition(" |")
        rows.append((name.strip(), kind.split("|")[0]))
    return rows


def test_reference_capture_proves_legacy_names_must_be_off(mapper: Mapper) -> None:
    """The reference run had legacy names on: every event arrived twice, once per naming scheme.

    With the legacy copy, a mapping would either count events twice (map both) or need one rule per
    dag/task-interpolated shape, which dots in task-group ids break. With legacy names off only the
    tagged names remain, and each of them maps.
    """
    registry = airflow_registry()
    legacy_patterns = [
        re.compile("^airflow\\." + re.sub(r"\\\{\w+\\\}", "[^.]+", re.escape(e["legacy_name"])) + "$")
        for e in registry
        if e.get("legacy_name", "-") != "-"
    ]
    legacy, tagged = [], []
    for name, code in reference_names():
        event = Event(
            line=name,
            name=name,
            kind={"c": "counter", "g": "gauge", "ms": "observer"}[code],
            value=1,
            rate=1,
            tags=(),
        )
        (legacy if any(p.match(name) for p in legacy_patterns) else tagged).append(event)
    assert {e.name for e in legacy} >= {
        "airflow.ti.finish.probe_dag.wait.success",
        "airflow.pool.open_slots.default_pool",
        "airflow.dag_processing.last_duration.dags-folder.probe_dag",
    }
    # every legacy name is the second copy of a tagged name that is also in the capture
    tagged_names = {e.name for e in tagged}
    for event in legacy:
        assert any(
            event.name.startswith(t + ".") or event.name.startswith(t + "_") for t in tagged_names
        ) or event.name.startswith("airflow.dag."), event.name
    # the tagged half maps completely; the legacy half would fall through (legacy_names_on must be False)
    assert [e.name for e in tagged if mapper.map(e).fell_through] == []
    assert all(mapper.map(e).fell_through or mapper.map(e).dropped for e in legacy)


def test_histogram_buckets_are_sorted_and_cover_long_runs() -> None:
    buckets = load_buckets(MAPPING)
    assert buckets == sorted(buckets) and buckets[-1] >= 3600
