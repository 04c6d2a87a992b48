"""Client/server rules of the architecture report (``architecture.sides``), one case per rule."""

from __future__ import annotations

import json

import pytest

from onec_analysis.analyses.architecture.tables import connect
from tests.support.snapshots import make_snapshot

# (module type, common-module flags or None, directives) -> expected (side, decided_by)
CASES: list[tuple[str, dict | None, list[str], tuple[str, str]]] = [
    # directives decide, whatever the module
    ("ObjectModule", None, ["AtClient"], ("client", "directive")),
    ("FormModule", None, ["AtServer"], ("server", "directive")),
    ("FormModule", None, ["AtServerNoContext"], ("server", "directive")),
    ("FormModule", None, ["AtClientAtServer"], ("both", "directive")),
    ("CommonModule", {"server": True}, ["AtClientAtServerNoContext"], ("both", "directive")),
    ("FormModule", None, ["AtClient", "AtServer"], ("both", "directive")),
    # no directive: the module's kind
    ("FormModule", None, [], ("client", "module")),
    ("CommandModule", None, [], ("client", "module")),
    ("ManagedApplicationModule", None, [], ("client", "module")),
    ("OrdinaryApplicationModule", None, [], ("client", "module")),
    ("ObjectModule", None, [], ("server", "module")),
    ("ManagerModule", None, [], ("server", "module")),
    ("RecordSetModule", None, [], ("server", "module")),
    ("ValueManagerModule", None, [], ("server", "module")),
    ("SessionModule", None, [], ("server", "module")),
    ("ExternalConnectionModule", None, [], ("server", "module")),
    ("HTTPServiceModule", None, [], ("server", "module")),
    ("WebServiceModule", None, [], ("server", "module")),
    ("SomeFutureModule", None, [], ("unknown", "module")),
    # no directive in a common module: its flags
    ("CommonModule", {"clientManagedApplication": True}, [], ("client", "module")),
    ("CommonModule", {"clientOrdinaryApplication": True}, [], ("client", "module")),
    # a server module that the thick client may compile too is still server code (SSL's usual flags)
    (
        "CommonModule",
        {"server": True, "externalConnection": True, "clientOrdinaryApplication": True},
        [],
        ("server", "module"),
    ),
    (
        "CommonModule",
        {"clientManagedApplication": True, "clientOrdinaryApplication": True},
        [],
        ("client", "module"),
    ),
    ("CommonModule", {"global": True, "clientManagedApplication": True}, [], ("client", "module")),
    ("CommonModule", {"server": True}, [], ("server", "module")),
    ("CommonModule", {"serverCall": True, "server": True}, [], ("server", "module")),
    ("CommonModule", {"externalConnection": True}, [], ("server", "module")),
    ("CommonModule", {"clientManagedApplication": True, "server": True}, [], ("both", "module")),
    ("CommonModule", {"global": True}, [], ("unknown", "module")),
    ("CommonModule", {}, [], ("unknown", "module")),
]


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, str]]:
    objects, modules, methods = [], [], []
    for index, (module_type, flags, directives, _) in enumerate(CASES):
        object_id = f"CommonModule.M{index}" if module_type == "CommonModule" else f"Catalog.C{index}"
        objects.append({"object_id": object_id, "type": object_id.split(".")[0], "name": object_id.split(".")[1],
                        "properties": json.dumps(flags or {})})  # fmt: skip
        module_id = f"{object_id}.{module_type}"
        modules.append({"module_id": module_id, "object_id": object_id, "module_type": module_type})
        methods.append({"method_id": f"{module_id}.Case{index}", "module_id": module_id, "object_id": object_id,
                        "name": f"Case{index}", "directives": directives})  # fmt: skip
    # a method whose module has no row at all
    methods.append(
        {"method_id": "Lost.Module.Orphan", "module_id": "Lost.Module", "object_id": "Lost", "name": "Orphan"}
    )
    snapshot = make_snapshot(
        tmp_path_factory.mktemp("sides") / "snap", objects=objects, modules=modules, methods=methods
    )
    con = connect(snapshot)
    rows = con.execute("SELECT method_id, side, decided_by FROM method_sides").fetchall()
    return {method_id: (side, decided_by) for method_id, side, decided_by in rows}


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=lambda v: str(v))
def test_side_of_each_rule(sides: dict[str, tuple[str, str]], index: int, case: tuple) -> None:
    module_type, _, _, expected = case
    (side,) = [value for key, value in sides.items() if key.endswith(f".Case{index}")]
    assert side == expected, module_type


def test_method_of_unknown_module_is_unknown(sides: dict[str, tuple[str, str]]) -> None:
    assert sides["Lost.Module.Orphan"] == ("unknown", "module")
    assert len(sides) == len(CASES) + 1
