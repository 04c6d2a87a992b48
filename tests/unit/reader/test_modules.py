"""Module bytes into text: what the snapshot's module_texts keep of each kind of file."""

from __future__ import annotations

import shutil
from pathlib import Path

from onec_analysis.reader.modules import decode_module
from onec_analysis.reader.pipeline import ParseOptions, parse_source
from onec_analysis.snapshot.io import read_table

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "samples" / "demo-workspace"
MODULE = "DemoConfiguration/src/Documents/РеализацияТоваров/ManagerModule.bsl"


def test_plain_utf8_keeps_the_files_bytes() -> None:
    data = "Процедура А()\nКонецПроцедуры\n".encode()
    decoded = decode_module(data)
    assert decoded.text == data.decode()
    assert decoded.utf8 == data


def test_bom_and_every_line_end_are_normalised_in_text_and_bytes() -> None:
    decoded = decode_module(b"\xef\xbb\xbf" + "Процедура А()\r\nВозврат;\rКонецПроцедуры\r\n".encode())
    assert decoded.text == "Процедура А()\nВозврат;\nКонецПроцедуры\n"
    assert decoded.utf8 == decoded.text.encode()
    assert decoded.size_bytes == len("Процедура А()\r\nВозврат;\rКонецПроцедуры\r\n".encode()) + 3


def test_unreadable_modules_have_no_text() -> None:
    for data in (b"\xff\xff\xff\x7f\x01\x02", b"\xc3\x28 not utf-8"):
        decoded = decode_module(data)
        assert (decoded.text, decoded.utf8) == ("", b"")
        assert decoded.problem is not None


def test_the_snapshot_stores_the_normalised_text(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(SAMPLE, source)
    module = source / MODULE
    text = module.read_text(encoding="utf-8")
    module.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    parse_source(source, tmp_path / "snap", ParseOptions(workers=1))
    modules = read_table(tmp_path / "snap", "modules").to_pylist()
    (module_id,) = [row["module_id"] for row in modules if row["path"] == MODULE]
    texts = dict(zip(*read_table(tmp_path / "snap", "module_texts").to_pydict().values(), strict=True))
    assert texts[module_id] == text
    plain = next(row for row in modules if row["path"] != MODULE and not row["protected"])
    assert texts[plain["module_id"]] == (source / plain["path"]).read_text(encoding="utf-8")
