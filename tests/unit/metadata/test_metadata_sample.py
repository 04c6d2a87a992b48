"""The bundled sample workspace read end to end, and the Designer mirror giving identical rows."""

from __future__ import annotations

import json
import pickle

from onec_analysis.metadata import common_module_names, detect_source, list_units, read_unit
from onec_analysis.snapshot.schema import TABLES


def by_id(rows, key="object_id"):
    return {row[key]: row for row in rows}


def test_workspace_detected_with_extension(sample_root):
    src = detect_source(sample_root)
    assert src.format == "edt-workspace"
    main, ext = src.projects
    assert (main.name, main.role, main.format, main.purpose) == (
        "DemoConfiguration",
        "configuration",
        "edt",
        None,
    )
    assert (ext.name, ext.role, ext.purpose, ext.name_prefix) == (
        "DemoExtension",
        "extension",
        "Customization",
        "Расш_",
    )
    assert ext.base_project == "DemoConfiguration"


def test_rows_have_exactly_the_schema_columns(sample_rows):
    for table in ("objects", "attributes", "references", "form_handlers"):
        expected = set(TABLES[table].names)
        assert sample_rows[table], table
        for row in sample_rows[table]:
            assert set(row) == expected, (table, row)
    assert sample_rows["problems"] == []


def test_common_module_flags_normalised(sample_rows):
    objects = by_id(sample_rows["objects"])
    props = {k: json.loads(v["properties"]) for k, v in objects.items() if v["type"] == "CommonModule"}
    assert props["CommonModule.ПродажиПовтИсп"] == {"server": True, "returnValuesReuse": "DuringSession"}
    assert props["CommonModule.ОбщегоНазначенияГлобальный"] == {
        "global": True,
        "clientManagedApplication": True,
    }
    assert props["CommonModule.ПродажиПривилегированный"] == {"server": True, "privileged": True}
    assert props["CommonModule.ПродажиВызовСервера"] == {"server": True, "serverCall": True}


def test_nested_subsystems_three_levels(sample_rows):
    objects = by_id(sample_rows["objects"])
    leaf = objects["Subsystem.Продажи.Subsystem.Документы.Subsystem.Отгрузки"]
    assert leaf["parent_id"] == "Subsystem.Продажи.Subsystem.Документы"
    assert objects["Subsystem.Продажи.Subsystem.Документы"]["parent_id"] == "Subsystem.Продажи"
    assert objects["Subsystem.Продажи"]["parent_id"] is None


def test_references(sample_rows):
    refs = {(r["source_id"], r["kind"], r["target_id"], r["via"]) for r in sample_rows["references"]}
    doc = "Document.РеализацияТоваров"
    expected = {
        (doc, "register_records", "AccumulationRegister.ОстаткиТоваров", "registerRecords"),
        (doc, "based_on", "Catalog.Контрагенты", "basedOn"),
        (doc, "attribute_type", "Catalog.Номенклатура", "Товары.Номенклатура"),
        (doc, "attribute_type", "Enum.СтатусыОплаты", "СтатусОплаты"),
        ("EventSubscription.ПроверкаНоменклатурыПередЗаписью", "event_subscription_source", "Catalog.Номенклатура", "source"),
        ("EventSubscription.ПроверкаНоменклатурыПередЗаписью", "event_subscription_handler",
         "CommonModule.ОбработчикиСобытий.НоменклатураПередЗаписью", "handler"),
        ("ScheduledJob.ОбновлениеЦен", "scheduled_job_method", "CommonModule.ОбработчикиСобытий.ОбновитьЦены", "methodName"),
        ("DefinedType.Покупатель", "defined_type", "Catalog.Контрагенты", "type"),
        ("Catalog.Номенклатура", "attribute_type", "DefinedType.Покупатель", "ОсновнойПоставщик"),
        ("Subsystem.Продажи.Subsystem.Документы", "subsystem_content", "Document.РеализацияТоваров", "content"),
        ("Role.ПолныеПрава", "role_rights", "Catalog.Номенклатура", None),
        ("DemoExtension:Catalog.Номенклатура", "attribute_type", "Catalog.Склады", "Расш_Склад"),
    }  # fmt: skip
    assert expected <= refs
    # a right that is explicitly false grants nothing
    assert ("Role.ПолныеПрава", "role_rights", "Catalog.Склады", None) not in refs


def test_attribute_types_normalised(sample_rows):
    attrs = {(a["object_id"], a["tabular_section"], a["name"]): a for a in sample_rows["attributes"]}
    assert attrs[("Document.РеализацияТоваров", "Товары", "Количество")]["types"] == ["Number"]
    assert attrs[("Document.РеализацияТоваров", "Товары", "Количество")]["kind"] == "TabularSectionAttribute"
    assert attrs[("Catalog.Номенклатура", None, "ЭтоУслуга")]["types"] == ["Boolean"]
    assert attrs[("InformationRegister.ЦеныНоменклатуры", None, "Номенклатура")]["kind"] == "Dimension"
    assert attrs[("AccumulationRegister.ОстаткиТоваров", None, "Количество")]["kind"] == "Resource"


def test_modules_listed_with_owner_and_type(sample_rows):
    modules = {m.module_id: m for m in sample_rows["modules"]}
    expected = {
        "Configuration.SessionModule": ("Configuration", "SessionModule", None, None),
        "Configuration.ManagedApplicationModule": ("Configuration", "ManagedApplicationModule", None, None),
        "Catalog.Номенклатура.ObjectModule": ("Catalog.Номенклатура", "ObjectModule", None, None),
        "Catalog.Номенклатура.Form.ФормаЭлемента.Module": ("Catalog.Номенклатура", "FormModule", "ФормаЭлемента", None),
        "Catalog.Номенклатура.Command.ЦеныТовара.CommandModule": ("Catalog.Номенклатура", "CommandModule", None, "ЦеныТовара"),
        "CommonModule.ОбщегоНазначения.Module": ("CommonModule.ОбщегоНазначения", "CommonModule", None, None),
        "CommonForm.ФормаНастроек.Module": ("CommonForm.ФормаНастроек", "FormModule", "ФормаНастроек", None),
        "InformationRegister.ЦеныНоменклатуры.RecordSetModule": ("InformationRegister.ЦеныНоменклатуры", "RecordSetModule", None, None),
        "Constant.ИспользоватьСкладскойУчет.ValueManagerModule": ("Constant.ИспользоватьСкладскойУчет", "ValueManagerModule", None, None),
        "HTTPService.ЦеныAPI.Module": ("HTTPService.ЦеныAPI", "HTTPServiceModule", None, None),
        "WebService.Обмен.Module": ("WebService.Обмен", "WebServiceModule", None, None),
        "DemoExtension:CommonModule.ПродажиВызовСервера.Module": ("DemoExtension:CommonModule.ПродажиВызовСервера", "CommonModule", None, None),
    }  # fmt: skip
    for module_id, (owner, module_type, form, command) in expected.items():
        m = modules[module_id]
        assert (m.object_id, m.module_type, m.form, m.command) == (owner, module_type, form, command), (
            module_id
        )
        assert m.abs_path.is_file()
    assert modules["WebService.Обмен.Module"].path == "DemoConfiguration/src/WebServices/Обмен/Module.bsl"


def test_form_handlers(sample_rows):
    handlers = {(h["form_id"], h["item"], h["event"], h["method_name"]) for h in sample_rows["form_handlers"]}
    form = "Document.РеализацияТоваров.Form.ФормаДокумента"
    assert (form, None, "OnCreateAtServer", "ПриСозданииНаСервере") in handlers
    assert (form, "ТоварыНоменклатура", "OnChange", "ТоварыНоменклатураПриИзменении") in handlers
    assert all(
        h["module_id"] == h["form_id"] + ".Module" and h["method_id"] is None
        for h in sample_rows["form_handlers"]
    )


def test_extension_ids_prefixed_and_adopted(sample_rows):
    objects = by_id(sample_rows["objects"])
    adopted = objects["DemoExtension:Catalog.Номенклатура"]
    assert (adopted["belonging"], adopted["configuration"]) == ("Adopted", "DemoExtension")
    assert objects["Catalog.Номенклатура"]["belonging"] == "Own"
    ext_cfg = json.loads(objects["DemoExtension:Configuration"]["properties"])
    assert ext_cfg == {"configurationExtensionPurpose": "Customization", "namePrefix": "Расш_"}


def test_units_are_picklable_and_independent(sample_root):
    """A shard (any subset, any order, after a pickle round trip) gives the same rows as a full run."""
    src = detect_source(sample_root)
    project = src.projects[0]
    units = list_units(project)
    keys = [u.key for u in units]
    assert len(keys) == len(set(keys)) and "Configuration" in keys
    full = [read_unit(project, u).objects for u in units]
    shard = pickle.loads(pickle.dumps((project, units[::-1])))
    again = [read_unit(shard[0], u).objects for u in shard[1]][::-1]
    assert again == full
    nomenclature = next(u for u in units if u.key == "Catalogs/Номенклатура")
    assert "src/Catalogs/Номенклатура/Forms/ФормаЭлемента/Form.form" in nomenclature.files
    assert "src/Catalogs/Номенклатура/ObjectModule.bsl" in nomenclature.files


def test_common_module_names(sample_root):
    project = detect_source(sample_root).projects[0]
    assert "ОбщегоНазначения" in common_module_names(project)
    assert len(common_module_names(project)) == 7


def test_designer_mirror_gives_identical_rows(read_all, fixtures_dir, sample_rows):
    designer = read_all(fixtures_dir / "designer-demo")
    assert designer["problems"] == []
    ids = {o["object_id"] for o in designer["objects"]}
    assert len(ids) == 10

    def pick(rows, key, drop=()):
        return sorted(
            (tuple((k, json.dumps(v, ensure_ascii=False)) for k, v in sorted(r.items()) if k not in drop)
             for r in rows if r[key] in ids),
        )  # fmt: skip

    edt_main = {t: [r for r in rows if r.get("configuration", "DemoConfiguration") == "DemoConfiguration"] if t != "modules" else rows
                for t, rows in sample_rows.items()}  # fmt: skip
    assert pick(designer["objects"], "object_id", {"path"}) == pick(
        edt_main["objects"], "object_id", {"path"}
    )
    assert pick(designer["attributes"], "object_id") == pick(edt_main["attributes"], "object_id")
    assert pick(designer["references"], "source_id") == pick(edt_main["references"], "source_id")
    handlers = [h for h in edt_main["form_handlers"]]
    designer_forms = {h["form_id"] for h in designer["form_handlers"]}
    assert sorted(map(sorted, (h.items() for h in designer["form_handlers"]))) == sorted(
        map(sorted, (h.items() for h in handlers if h["form_id"] in designer_forms))
    )
    d_modules = {(m.module_id, m.object_id, m.module_type, m.form, m.command) for m in designer["modules"]}
    e_modules = {
        (m.module_id, m.object_id, m.module_type, m.form, m.command)
        for m in edt_main["modules"]
        if m.object_id in ids
    }
    assert d_modules == e_modules


def test_sample_rows_fit_the_arrow_schema(sample_rows):
    import pyarrow as pa

    for table in ("objects", "attributes", "references", "form_handlers"):
        assert pa.Table.from_pylist(sample_rows[table], schema=TABLES[table]).num_rows == len(
            sample_rows[table]
        )


def test_cache_salt_changes_when_an_extension_gains_an_object(sample_root, tmp_path):
    import shutil

    copy = tmp_path / "ws"
    shutil.copytree(sample_root, copy)
    before = detect_source(copy).projects[1].cache_salt
    assert before == detect_source(copy).projects[1].cache_salt  # stable
    (copy / "DemoExtension" / "src" / "Catalogs" / "Расш_Упаковки").mkdir()
    assert detect_source(copy).projects[1].cache_salt != before
    assert detect_source(copy).projects[0].cache_salt.startswith("DemoConfiguration|")
