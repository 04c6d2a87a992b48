"""Two views of one metadata object, one per export format, with the same small interface.

The row-building code (``extract``) asks a node for properties by their EDT name (camelCase:
``registerRecords``, ``basedOn``); the Designer node answers from ``<Properties><RegisterRecords>`` and
``<ChildObjects>``. That is what keeps EDT and Designer rows identical for the same object.
"""

from __future__ import annotations

from lxml import etree

from .safe_xml import local
from .types import normalise_type

# EDT child collection -> Designer <ChildObjects> element.
_DESIGNER_CHILDREN = {
    "attributes": "Attribute",
    "tabularSections": "TabularSection",
    "dimensions": "Dimension",
    "resources": "Resource",
    "accountingFlags": "AccountingFlag",
    "extDimensionAccountingFlags": "ExtDimensionAccountingFlag",
    "addressingAttributes": "AddressingAttribute",
    "forms": "Form",
    "commands": "Command",
    "templates": "Template",
    "enumValues": "EnumValue",
    "recalculations": "Recalculation",
    "columns": "Column",
    "operations": "Operation",
    "urlTemplates": "URLTemplate",
    "subsystems": "Subsystem",
    "languages": "Language",
}


def _text(el: etree._Element | None) -> str | None:
    if el is None or el.text is None:
        return None
    text = el.text.strip()
    return text or None


def _lcfirst(name: str) -> str:
    return name[:1].lower() + name[1:]


def _pick_synonym(pairs: list[tuple[str, str]]) -> str | None:
    """Russian first (the language the team reads), else the first one written."""
    pairs = [(lang, value) for lang, value in pairs if value]
    for lang, value in pairs:
        if lang == "ru":
            return value
    return pairs[0][1] if pairs else None


class EdtNode:
    """An element of an EDT .mdo: properties are repeated child elements in no namespace."""

    def __init__(self, el: etree._Element):
        self.el = el
        self.kids: dict[str, list[etree._Element]] = {}
        for child in el:
            name = local(child.tag)
            if name:
                self.kids.setdefault(name, []).append(child)

    @property
    def uuid(self) -> str | None:
        return self.el.get("uuid")

    def text(self, prop: str) -> str | None:
        for el in self.kids.get(prop, ()):
            value = _text(el)
            if value is not None:
                return value
        return None

    def values(self, prop: str) -> list[str]:
        """Link values of a property: the text of each repeated element, or of its leaf children
        (``<content><mdObject>…``, ``<source><types>…``)."""
        out: list[str] = []
        for el in self.kids.get(prop, ()):
            if len(el):
                for sub in el:
                    if local(sub.tag) in ("types", "mdObject", "metadata") and (value := _text(sub)):
                        out.append(value)
            elif value := _text(el):
                out.append(value)
        return out

    def types(self, prop: str = "type") -> list[str]:
        out: list[str] = []
        for el in self.kids.get(prop, ()):
            for sub in el:
                if local(sub.tag) == "types" and (value := _text(sub)):
                    out.append(normalise_type(value))
        return out

    def synonym(self, prop: str = "synonym") -> str | None:
        pairs = []
        for el in self.kids.get(prop, ()):
            lang = value = None
            for sub in el:
                if local(sub.tag) == "key":
                    lang = _text(sub)
                elif local(sub.tag) == "value":
                    value = _text(sub)
            pairs.append((lang or "", value or ""))
        return _pick_synonym(pairs)

    def children(self, kind: str) -> list[EdtNode]:
        return [EdtNode(el) for el in self.kids.get(kind, ()) if len(el)]

    def child_names(self, kind: str) -> list[str]:
        """Names of child objects; EDT writes nested subsystems as bare names, forms as elements."""
        out = []
        for el in self.kids.get(kind, ()):
            if len(el):
                name = EdtNode(el).text("name")
            else:
                name = _text(el)
            if name:
                out.append(name)
        return out

    def characteristic_sources(self) -> list[str]:
        return [
            v for el in self.kids.get("characteristics", ()) if (v := EdtNode(el).text("characteristicTypes"))
        ]

    def common_attribute_content(self) -> list[str]:
        out = []
        for el in self.kids.get("content", ()):
            node = EdtNode(el)
            if node.text("use") != "DontUse" and (target := node.text("metadata")):
                out.append(target)
        return out


class DesignerNode:
    """An object element of a Designer XML file: ``<Properties>`` and ``<ChildObjects>``."""

    def __init__(self, el: etree._Element):
        self.el = el
        self.props: dict[str, etree._Element] = {}
        self.kids: dict[str, list[etree._Element]] = {}
        for part in el:
            tag = local(part.tag)
            if tag == "Properties":
                for prop in part:
                    if name := local(prop.tag):
                        self.props[_lcfirst(name)] = prop
            elif tag == "ChildObjects":
                for child in part:
                    if name := local(child.tag):
                        self.kids.setdefault(name, []).append(child)

    @property
    def uuid(self) -> str | None:
        return self.el.get("uuid")

    def text(self, prop: str) -> str | None:
        return _text(self.props.get(prop))

    def values(self, prop: str) -> list[str]:
        el = self.props.get(prop)
        if el is None:
            return []
        if not len(el):
            value = _text(el)
            return [value] if value else []
        out = []
        for item in el:
            if len(item):
                # <xr:Item><xr:Metadata>Catalog.X</xr:Metadata>… (content lists with extra columns)
                for sub in item:
                    if local(sub.tag) in ("Metadata", "Object") and (value := _text(sub)):
                        out.append(value)
            elif value := _text(item):
                out.append(value)
        return out

    def types(self, prop: str = "type") -> list[str]:
        el = self.props.get(prop)
        if el is None:
            return []
        # An extension that widens an adopted attribute's type wraps it: <Type xsi:type="xr:ExtendedProperty">
        # <xr:ExtendValue><v8:Type>…; read through the wrapper.
        subs = [sub for wrap in el if local(wrap.tag) == "ExtendValue" for sub in wrap] or list(el)
        return [
            normalise_type(v) for sub in subs if local(sub.tag) in ("Type", "TypeSet") and (v := _text(sub))
        ]

    def synonym(self, prop: str = "synonym") -> str | None:
        el = self.props.get(prop)
        if el is None:
            return None
        pairs = []
        for item in el:
            lang = value = None
            for sub in item:
                if local(sub.tag) == "lang":
                    lang = _text(sub)
                elif local(sub.tag) == "content":
                    value = _text(sub)
            pairs.append((lang or "", value or ""))
        return _pick_synonym(pairs)

    def children(self, kind: str) -> list[DesignerNode]:
        return [DesignerNode(el) for el in self.kids.get(_DESIGNER_CHILDREN[kind], ()) if len(el)]

    def child_names(self, kind: str) -> list[str]:
        out = []
        for el in self.kids.get(_DESIGNER_CHILDREN[kind], ()):
            name = DesignerNode(el).text("name") if len(el) else _text(el)
            if name:
                out.append(name)
        return out

    def characteristic_sources(self) -> list[str]:
        el = self.props.get("characteristics")
        if el is None:
            return []
        return [
            source
            for item in el
            for sub in item
            if local(sub.tag) == "CharacteristicTypes" and (source := sub.get("from"))
        ]

    def common_attribute_content(self) -> list[str]:
        el = self.props.get("content")
        if el is None:
            return []
        out = []
        for item in el:
            fields = {local(sub.tag): _text(sub) for sub in item}
            if fields.get("Use") != "DontUse" and fields.get("Metadata"):
                out.append(fields["Metadata"])
        return out
