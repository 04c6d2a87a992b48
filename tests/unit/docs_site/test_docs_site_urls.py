"""Page paths: ASCII, readable, and never two objects on one file (even on case-insensitive disks)."""

from __future__ import annotations

from onec_analysis.docs_site.urls import MAX_SLUG, object_paths, relative_root, transliterate


def test_transliteration_keeps_case_and_reads_naturally() -> None:
    assert transliterate("ОбщегоНазначения") == "ObshchegoNaznacheniya"
    assert transliterate("ЁлкаЩукаЭхо") == "YolkaShchukaEhkho"


def test_paths_are_ascii_and_per_type() -> None:
    paths = object_paths(
        [
            ("Catalog.Банки", "Catalog"),
            ("Subsystem.Финансы.Subsystem.Банки", "Subsystem"),
            ("Расширение1:Catalog.Банки", "Catalog"),
            ("Catalog.Banks", "Catalog"),
        ]
    )
    assert paths == {
        "Catalog.Банки": "objects/Catalog/Banki.html",
        "Subsystem.Финансы.Subsystem.Банки": "objects/Subsystem/Finansy.Subsystem.Banki.html",
        "Расширение1:Catalog.Банки": "objects/Catalog/Rasshirenie1--Banki.html",
        "Catalog.Banks": "objects/Catalog/Banks.html",
    }
    assert all(path.isascii() for path in paths.values())


def test_colliding_slugs_all_get_a_hash_whatever_the_order() -> None:
    # "Ь" has no Latin letter: Объем and Обем would share a file; so would names differing in case only.
    pairs = [
        ("Catalog.Объем", "Catalog"),
        ("Catalog.Обем", "Catalog"),
        ("Catalog.ОБЕМ", "Catalog"),
        ("Catalog.Цена", "Catalog"),
    ]
    forward = object_paths(pairs)
    assert forward == object_paths(reversed(pairs))
    assert forward["Catalog.Цена"] == "objects/Catalog/Cena.html"
    colliding = [forward[object_id] for object_id in ("Catalog.Объем", "Catalog.Обем", "Catalog.ОБЕМ")]
    assert len({path.lower() for path in colliding}) == 3
    assert all(path.startswith(("objects/Catalog/Obem-", "objects/Catalog/OBEM-")) for path in colliding)


def test_long_names_are_cut_with_a_hash() -> None:
    name = "Очень" * 40
    path = object_paths([(f"Catalog.{name}", "Catalog")])[f"Catalog.{name}"]
    slug = path.removeprefix("objects/Catalog/").removesuffix(".html")
    assert len(slug) <= MAX_SLUG
    assert slug.startswith("OchenOchen")


def test_relative_root() -> None:
    assert relative_root("index.html") == ""
    assert relative_root("types/Catalog.html") == "../"
    assert relative_root("objects/Catalog/Banki.html") == "../../"
