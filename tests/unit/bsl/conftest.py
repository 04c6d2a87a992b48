"""Shared helpers for the BSL parser tests: fixture modules parsed as Catalog.Банки's object module."""

from __future__ import annotations

from pathlib import Path

import pytest

from onec_analysis.bsl import CallContext, ModuleParse, parse_module

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MODULE_ID = "Catalog.Банки.ObjectModule"
OBJECT_ID = "Catalog.Банки"
CTX = CallContext(
    common_modules=frozenset({"ОбщегоНазначения", "ОбщегоНазначенияКлиент", "Common", "УправлениеПечатью"}),
    own_object_id=OBJECT_ID,
)


def parse_fixture(name: str) -> ModuleParse:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return parse_module(text, module_id=MODULE_ID, object_id=OBJECT_ID, configuration="Тест", ctx=CTX)


@pytest.fixture(name="parse_fixture")
def _parse_fixture():
    return parse_fixture
