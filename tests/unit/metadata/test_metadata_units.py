"""Small pure functions: type spellings, reference resolution, module ids from paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from onec_analysis.metadata.model import Project
from onec_analysis.metadata.modules import designer_parts, module_for
from onec_analysis.metadata.types import normalise_type, object_id_of


@pytest.mark.parametrize(
    ("designer", "edt"),
    [
        ("xs:string", "String"),
        ("xs:decimal", "Number"),
        ("xs:dateTime", "Date"),
        ("xs:boolean", "Boolean"),
        ("xs:base64Binary", "BinaryData"),
        ("cfg:CatalogRef.Номенклатура", "CatalogRef.Номенклатура"),
        ("cfg:DefinedType.Покупатель", "DefinedType.Покупатель"),
        ("cfg:Characteristic.ВидыСубконто", "Characteristic.ВидыСубконто"),
        ("cfg:AnyIBRef", "AnyRef"),
        ("v8:ValueListType", "ValueList"),
        ("v8:ValueStorage", "ValueStorage"),
        ("dcsset:SettingsComposer", "DataCompositionSettingsComposer"),
        ("d5p1:CatalogRef.X", "CatalogRef.X"),
    ],
)
def test_designer_types_spelled_like_edt(designer, edt):
    assert normalise_type(designer) == edt
    assert normalise_type(edt) == edt


@pytest.mark.parametrize(
    ("ref", "target"),
    [
        ("CatalogRef.X", "Catalog.X"),
        ("CatalogObject.X", "Catalog.X"),
        ("ChartOfCharacteristicTypesRef.X", "ChartOfCharacteristicTypes.X"),
        ("InformationRegisterRecordSet.X", "InformationRegister.X"),
        ("BusinessProcessRoutePointRef.X", "BusinessProcess.X"),
        ("DocumentJournal.X", "DocumentJournal.X"),
        ("Catalog.X.TabularSection.T.Attribute.A", "Catalog.X"),
        ("Subsystem.A.Subsystem.B.Subsystem.C", "Subsystem.A.Subsystem.B.Subsystem.C"),
        ("Characteristic.X", "ChartOfCharacteristicTypes.X"),
        ("cfg:EnumRef.X", "Enum.X"),
        ("CommonModule.M.Method", "CommonModule.M"),
        ("String", None),
        ("CatalogRef", None),
        ("FormNavigationPanelGoTo", None),
        ("Gizmo.X", None),
    ],
)
def test_object_id_of(ref, target):
    assert object_id_of(ref) == target


@pytest.mark.parametrize(
    ("designer", "edt"),
    [
        (("Ext", "ObjectModule.bsl"), ("ObjectModule.bsl",)),
        (("Ext", "Form", "Module.bsl"), ("Module.bsl",)),
        (("Forms", "F", "Ext", "Form", "Module.bsl"), ("Forms", "F", "Module.bsl")),
        (("Commands", "C", "Ext", "CommandModule.bsl"), ("Commands", "C", "CommandModule.bsl")),
        (
            ("Recalculations", "R", "Ext", "RecordSetModule.bsl"),
            ("Recalculations", "R", "RecordSetModule.bsl"),
        ),
    ],
)
def test_designer_paths_map_to_edt_layout(designer, edt):
    assert designer_parts(designer) == edt


_PROJECT = Project(
    name="Т", root=Path("/src/p"), format="edt", role="configuration", purpose=None, name_prefix=None,
    base_project=None, source_root=Path("/src"),
)  # fmt: skip


@pytest.mark.parametrize(
    ("type_", "parts", "module_id", "module_type"),
    [
        ("Catalog", ("ObjectModule.bsl",), "Catalog.X.ObjectModule", "ObjectModule"),
        ("CommonModule", ("Module.bsl",), "CommonModule.X.Module", "CommonModule"),
        ("CommonModule", ("Module.bin",), "CommonModule.X.Module", "CommonModule"),
        ("CommonForm", ("Module.bsl",), "CommonForm.X.Module", "FormModule"),
        ("WebService", ("Module.bsl",), "WebService.X.Module", "WebServiceModule"),
        ("HTTPService", ("Module.bsl",), "HTTPService.X.Module", "HTTPServiceModule"),
        ("Constant", ("ValueManagerModule.bsl",), "Constant.X.ValueManagerModule", "ValueManagerModule"),
        ("CommonCommand", ("CommandModule.bsl",), "CommonCommand.X.CommandModule", "CommandModule"),
        ("Document", ("Forms", "F", "Module.bsl"), "Document.X.Form.F.Module", "FormModule"),
        ("Document", ("Commands", "C", "CommandModule.bsl"), "Document.X.Command.C.CommandModule", "CommandModule"),
        ("CalculationRegister", ("Recalculations", "R", "RecordSetModule.bsl"),
         "CalculationRegister.X.Recalculation.R.RecordSetModule", "RecordSetModule"),
        ("ExternalDataSource", ("Tables", "T", "ObjectModule.bsl"), "ExternalDataSource.X.Table.T.ObjectModule", "ObjectModule"),
        ("Catalog", ("Module.bsl",), None, None),
        ("Catalog", ("Templates", "T", "Template.bin"), None, None),
        ("Catalog", ("Help", "ru.html"), None, None),
    ],
)  # fmt: skip
def test_module_for(type_, parts, module_id, module_type):
    path = Path("/src/p/src") / type_ / "X" / Path(*parts)
    module = module_for(_PROJECT, type_, "X", f"{type_}.X", parts, path)
    if module_id is None:
        assert module is None
    else:
        assert (module.module_id, module.module_type, module.object_id) == (
            module_id,
            module_type,
            f"{type_}.X",
        )
        assert module.path == path.relative_to("/src").as_posix()


def test_designer_extended_property_type():
    """An extension widening an adopted attribute's type wraps the types in xr:ExtendValue."""
    from lxml import etree

    from onec_analysis.metadata.nodes import DesignerNode

    xml = """<Attribute xmlns="http://v8.1c.ru/8.3/MDClasses" xmlns:v8="http://v8.1c.ru/8.1/data/core"
        xmlns:xr="http://v8.1c.ru/8.3/xcf/readable" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <Properties><ObjectBelonging>Adopted</ObjectBelonging><Name>Наценка</Name>
        <Type xsi:type="xr:ExtendedProperty"><xr:ExtendValue xsi:type="v8:TypeDescription">
          <v8:Type>xs:decimal</v8:Type><v8:Type>cfg:CatalogRef.Валюты</v8:Type>
        </xr:ExtendValue></Type>
      </Properties></Attribute>""".encode()
    node = DesignerNode(etree.fromstring(xml))
    assert node.types() == ["Number", "CatalogRef.Валюты"]
    assert node.text("objectBelonging") == "Adopted"
