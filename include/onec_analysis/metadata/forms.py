"""Event handlers of managed forms: which form/item event calls which method of the form module.

Forms are the bulk of an export (≈776 MB in a 1C:ERP) and only their handlers matter here, so a form
whose bytes hold no handler marker is not parsed at all.
"""

from __future__ import annotations

from .safe_xml import local, parse_bytes

_EDT_MARKER = b"<handlers>"
_DESIGNER_MARKER = b"<Event "


def edt_handlers(data: bytes) -> list[tuple[str | None, str, str]]:
    """(item or None, event, method) from an EDT Form.form; item = the enclosing element's <name>."""
    if _EDT_MARKER not in data:
        return []
    root = parse_bytes(data)
    out = []
    for handlers in root.iter("handlers"):
        event = method = None
        for sub in handlers:
            tag = local(sub.tag)
            if tag == "event":
                event = (sub.text or "").strip()
            elif tag == "name":
                method = (sub.text or "").strip()
        if not event or not method:
            continue
        # Tables keep some handlers in <extInfo>; the item is the nearest ancestor that has a name.
        owner = handlers.getparent()
        name_el = None
        while owner is not root and (name_el := owner.find("name")) is None:
            owner = owner.getparent()
        item = (name_el.text or "").strip() if owner is not root and name_el is not None else None
        out.append((item or None, event, method))
    return out


def designer_handlers(data: bytes) -> list[tuple[str | None, str, str]]:
    """(item or None, event, method) from a Designer Form.xml: <Events><Event name="…">Method</Event>."""
    if _DESIGNER_MARKER not in data:
        return []
    root = parse_bytes(data)
    ns = root.nsmap.get(None)
    event_tag = f"{{{ns}}}Event" if ns else "Event"
    out = []
    for event_el in root.iter(event_tag):
        events = event_el.getparent()
        if local(events.tag) != "Events":
            continue
        event = (event_el.get("name") or "").strip()
        method = (event_el.text or "").strip()
        if not event or not method:
            continue
        owner = events.getparent()
        item = None if owner is root else (owner.get("name") or None)
        out.append((item, event, method))
    return out
