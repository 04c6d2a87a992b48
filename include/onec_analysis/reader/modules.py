"""Turn a BSL module file into text: protected modules, encodings and line endings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

#: Modules shipped without source start with these bytes (the platform's encrypted container).
PROTECTED_SIGNATURE = b"\xff\xff\xff\x7f"
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class DecodedModule:
    text: str  # "" when there is no readable source
    #: The text as UTF-8: the file's own bytes (BOM off) when decoding changed nothing else, which is
    #: what the snapshot stores (Arrow takes them as they are; encoding the text again cost as much).
    utf8: bytes
    size_bytes: int
    sha256: str
    protected: bool
    problem: (
        tuple[str, str, int | None] | None
    )  # (kind, message, line) when the file could not be read as text


def decode_module(data: bytes) -> DecodedModule:
    """Decode module bytes as UTF-8 (BOM optional), normalising CRLF and lone CR to LF."""
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(PROTECTED_SIGNATURE):
        return DecodedModule(
            "",
            b"",
            len(data),
            digest,
            True,
            ("protected_module", "module has no source (protected, starts FF FF FF 7F)", None),
        )
    body = data[3:] if data.startswith(UTF8_BOM) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        return DecodedModule(
            "",
            b"",
            len(data),
            digest,
            False,
            ("not_utf8", f"not UTF-8 text: byte 0x{body[exc.start]:02X} at offset {exc.start}", line),
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        body = text.encode("utf-8")
    return DecodedModule(text, body, len(data), digest, False, None)
