"""Fidelity on the real SSL exports: counts straight from the file tree, zero problems."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from onec_analysis.metadata import detect_source
from onec_analysis.metadata.types import FOLDER_TYPES
from tests.support.corpus_counts import SSL_EDT_OBJECTS_PER_FOLDER

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def edt_rows(ssl_edt, read_all):
    return read_all(ssl_edt)


@pytest.fixture(scope="module")
def designer_rows(ssl_designer, read_all):
    return read_all(ssl_designer)


def test_ssl_edt_objects_per_type(edt_rows):
    per_folder = Counter(o["type_folder"] for o in edt_rows["objects"])
    # Besides the file-tree counts: the Configuration itself and its one language (inline in Configuration.mdo).
    assert per_folder.pop("Configuration") == 1
    assert per_folder.pop("Languages") == 1
    assert dict(per_folder) == SSL_EDT_OBJECTS_PER_FOLDER
    assert sum(per_folder.values()) == 3552
    subsystems = [o for o in edt_rows["objects"] if o["type"] == "Subsystem"]
    assert sum(o["parent_id"] is None for o in subsystems) == 19
    assert len({o["object_id"] for o in edt_rows["objects"]}) == len(edt_rows["objects"])


def test_ssl_edt_modules_and_problems(edt_rows, ssl_edt):
    assert len(edt_rows["modules"]) == 2790
    assert {m.path for m in edt_rows["modules"]} == {
        p.relative_to(ssl_edt).as_posix() for p in ssl_edt.rglob("*.bsl")
    }
    assert edt_rows["problems"] == []


def test_ssl_designer_objects_match_files(designer_rows, ssl_designer):
    cf = ssl_designer / "src" / "cf"
    expected = Counter()
    for folder in FOLDER_TYPES:
        if (cf / folder).is_dir():
            expected[folder] = len(list((cf / folder).glob("*.xml")))
    # nested subsystems: Subsystems/<A>/Subsystems/<B>.xml, recursively
    expected["Subsystems"] += sum(
        1
        for p in (cf / "Subsystems").rglob("*.xml")
        if p.parent.name == "Subsystems" and p.parent != cf / "Subsystems"
    )
    per_folder = Counter(o["type_folder"] for o in designer_rows["objects"])
    assert per_folder.pop("Configuration") == 1
    assert dict(per_folder) == dict(expected)
    assert designer_rows["problems"] == []


def test_ssl_designer_modules(designer_rows, ssl_designer):
    assert len(designer_rows["modules"]) == 1970
    assert {m.path for m in designer_rows["modules"]} == {
        p.relative_to(ssl_designer).as_posix() for p in ssl_designer.rglob("*.bsl")
    }


@pytest.mark.parametrize("rows_fixture", ["edt_rows", "designer_rows"])
def test_form_handlers_complete(rows_fixture, request):
    rows = request.getfixturevalue(rows_fixture)
    handlers = rows["form_handlers"]
    assert len(handlers) > 4000
    assert all(h["event"] and h["method_name"] for h in handlers)
    module_ids = {m.module_id for m in rows["modules"]}
    # nearly every handler points into a form module that exists
    assert sum(h["module_id"] in module_ids for h in handlers) / len(handlers) > 0.99


def test_ssl_edt_common_module_flags(edt_rows):
    import json

    common = next(o for o in edt_rows["objects"] if o["object_id"] == "CommonModule.ОбщегоНазначения")
    assert json.loads(common["properties"]) == {
        "server": True,
        "externalConnection": True,
        "clientOrdinaryApplication": True,
    }


def test_ssl_references_resolve_to_objects(edt_rows):
    ids = {o["object_id"] for o in edt_rows["objects"]}
    kinds = Counter(r["kind"] for r in edt_rows["references"])
    for kind in ("subsystem_content", "event_subscription_source", "register_records", "based_on",
                 "defined_type", "exchange_plan_content", "attribute_type", "role_rights", "scheduled_job_method"):  # fmt: skip
        assert kinds[kind] > 0, kind
    object_targets = [
        r
        for r in edt_rows["references"]
        if r["kind"] not in ("event_subscription_handler", "scheduled_job_method")
    ]
    dangling = [r for r in object_targets if r["target_id"] not in ids]
    assert len(dangling) / len(object_targets) < 0.01, dangling[:5]
    handlers = [r for r in edt_rows["references"] if r["kind"] == "event_subscription_handler"]
    assert len(handlers) == 145
    assert all(".".join(r["target_id"].split(".")[:2]) in ids for r in handlers)


def test_designer_root_found_below_given_folder(ssl_designer):
    src = detect_source(ssl_designer)
    assert src.format == "designer"
    (project,) = src.projects
    assert project.root == Path(ssl_designer).resolve() / "src" / "cf"
    assert project.name == "StandardSubsystemsLibrary"


@pytest.mark.parametrize("rows_fixture", ["edt_rows", "designer_rows"])
def test_rows_fit_the_schema_and_keys_are_unique(rows_fixture, request):
    import pyarrow as pa

    from onec_analysis.snapshot.schema import TABLE_KEYS, TABLES

    rows = request.getfixturevalue(rows_fixture)
    for table in ("objects", "attributes", "references", "form_handlers"):
        pa.Table.from_pylist(rows[table], schema=TABLES[table])  # raises on a wrong column or type
        keys = Counter(tuple(r[k] for k in TABLE_KEYS[table]) for r in rows[table])
        assert max(keys.values()) == 1, (table, keys.most_common(1))
    assert len({m.module_id for m in rows["modules"]}) == len(rows["modules"])
