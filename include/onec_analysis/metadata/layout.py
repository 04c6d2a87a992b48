"""Where things are in each export format: object files, nested subsystems, forms, rights, modules.

Everything format-specific about *paths* lives here; ``reader`` does the same work for both.
"""

from __future__ import annotations

from pathlib import Path

from .modules import designer_parts
from .nodes import DesignerNode, EdtNode
from .safe_xml import local


class EdtLayout:
    format = "edt"

    @staticmethod
    def object_file_name(name: str) -> str:
        """The object's file, relative to its type folder."""
        return f"{name}/{name}.mdo"

    @staticmethod
    def object_file(type_dir: Path, name: str) -> Path:
        return type_dir / EdtLayout.object_file_name(name)

    @staticmethod
    def object_dir(type_dir: Path, name: str) -> Path:
        return type_dir / name

    @staticmethod
    def nested_subsystems(object_dir: Path) -> list[tuple[str, Path, Path]]:
        """(name, file, folder) of the subsystems directly inside a subsystem folder."""
        holder = object_dir / "Subsystems"
        if not holder.is_dir():
            return []
        return [(p.name, p / f"{p.name}.mdo", p) for p in sorted(holder.iterdir()) if p.is_dir()]

    @staticmethod
    def node(root) -> EdtNode:
        return EdtNode(root)

    @staticmethod
    def root_type(root) -> str:
        return local(root.tag)

    @staticmethod
    def parts(parts: tuple[str, ...]) -> tuple[str, ...]:
        return parts

    @staticmethod
    def form_of(parts: tuple[str, ...]) -> str | None:
        """Form name when the path (inside the object folder) is a managed form's description."""
        if len(parts) == 3 and parts[0] == "Forms" and parts[2] == "Form.form":
            return parts[1]
        if parts == ("Form.form",):
            return ""  # a common form: the object itself
        return None

    rights_parts = ("Rights.rights",)
    content_parts = None  # EDT keeps exchange-plan content inside the .mdo

    @staticmethod
    def is_relevant(parts: tuple[str, ...]) -> bool:
        """Files a unit reads (and whose change must invalidate the cache)."""
        last = parts[-1]
        if "BaseForm" in parts:  # an extension's copy of the base form, not its own
            return False
        return (
            last.endswith((".mdo", ".bsl"))
            or last in ("Form.form", "Rights.rights")
            or (last.endswith(".bin") and last[:-4].endswith("Module"))
        )


class DesignerLayout:
    format = "designer"

    @staticmethod
    def object_file_name(name: str) -> str:
        """The object's file, relative to its type folder."""
        return f"{name}.xml"

    @staticmethod
    def object_file(type_dir: Path, name: str) -> Path:
        return type_dir / DesignerLayout.object_file_name(name)

    @staticmethod
    def object_dir(type_dir: Path, name: str) -> Path:
        return type_dir / name

    @staticmethod
    def nested_subsystems(object_dir: Path) -> list[tuple[str, Path, Path]]:
        holder = object_dir / "Subsystems"
        if not holder.is_dir():
            return []
        return [(p.stem, p, holder / p.stem) for p in sorted(holder.glob("*.xml")) if p.is_file()]

    @staticmethod
    def node(root) -> DesignerNode:
        for child in root:
            if local(child.tag):
                return DesignerNode(child)
        return DesignerNode(root)

    @staticmethod
    def root_type(root) -> str:
        if local(root.tag) != "MetaDataObject":
            return local(root.tag)
        for child in root:
            if name := local(child.tag):
                return name
        return ""

    parts = staticmethod(designer_parts)

    @staticmethod
    def form_of(parts: tuple[str, ...]) -> str | None:
        if len(parts) == 4 and parts[0] == "Forms" and parts[2:] == ("Ext", "Form.xml"):
            return parts[1]
        if parts == ("Ext", "Form.xml"):
            return ""
        return None

    rights_parts = ("Ext", "Rights.xml")
    content_parts = ("Ext", "Content.xml")

    @staticmethod
    def is_relevant(parts: tuple[str, ...]) -> bool:
        last = parts[-1]
        return (
            last.endswith(".bsl")
            or (last.endswith(".bin") and last[:-4].endswith("Module"))
            or parts[-2:] in (("Ext", "Form.xml"), ("Ext", "Rights.xml"), ("Ext", "Content.xml"))
            or (len(parts) >= 2 and parts[-2] == "Subsystems" and last.endswith(".xml"))
        )


LAYOUTS = {"edt": EdtLayout, "designer": DesignerLayout}
