"""The one way this package parses XML: no entities, no DTD, no network, bounded trees.

1C exports never carry a DOCTYPE, so a file that has one is refused outright rather than parsed
with its entities left in place: that closes billion-laughs and XXE (file:///etc/passwd) whatever
lxml's defaults become.
"""

from __future__ import annotations

from functools import lru_cache

from lxml import etree


class XmlProblem(Exception):
    """A file that could not be read as safe, well-formed UTF-8 XML."""

    def __init__(self, kind: str, message: str, line: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


@lru_cache(maxsize=1)
def make_parser() -> etree.XMLParser:
    """Shared parser (one per process: lxml parsers are not shareable across threads, workers are processes)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _first_bad_utf8_line(data: bytes) -> int | None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return None


def parse_bytes(data: bytes) -> etree._Element:
    """Parse one document; raise XmlProblem(kind, message, line) for anything unusable."""
    # Refuse before parsing: libxml2 would otherwise still read the internal subset.
    head = data[: data.find(b"<", data.find(b"?>") + 2) + 10] if b"?>" in data[:200] else data[:64]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
        raise XmlProblem(
            "unsafe_xml", "XML with a DOCTYPE/entity declarations is refused (1C exports have none)", 1
        )
    try:
        root = etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError as exc:
        # Only a failed parse pays for a full decode, to tell bad encoding from bad structure.
        bad_line = _first_bad_utf8_line(data)
        if bad_line is not None:
            raise XmlProblem(
                "not_utf8", f"file is not valid UTF-8 (first bad byte on line {bad_line})", bad_line
            ) from None
        raise XmlProblem("malformed_xml", f"malformed XML: {exc.msg}", exc.lineno or None) from None
    tree = root.getroottree()
    encoding = (tree.docinfo.encoding or "UTF-8").upper().replace("_", "-")
    if encoding not in ("UTF-8", "UTF8"):
        # Parsed fine under its own declaration (say windows-1251), but 1C exports are UTF-8 only.
        raise XmlProblem(
            "not_utf8", f"file declares encoding {tree.docinfo.encoding}; 1C exports are UTF-8", 1
        )
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XmlProblem(
            "unsafe_xml", "XML with a DOCTYPE/entity declarations is refused (1C exports have none)", 1
        )
    return root


def local(tag: object) -> str:
    """Local name of an element tag ('{ns}Name' -> 'Name'); '' for comments and other non-elements."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]
