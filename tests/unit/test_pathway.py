"""The printed referral pathway's content, decided without HTTP, database or PDF."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from reportlab.pdfbase.ttfonts import TTFont

from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.gazetteer import Gazetteer
from referral_api.domain.pathway import BLOCKS, STEPS, TEXT, Sheet, hours_text
from referral_api.domain.ranking import RankingWeights
from referral_api.interop.geojson import parse_admin_areas, parse_directory, read_json
from referral_api.interop.pathway_pdf import BOLD, REGULAR, font_path
from referral_api.pathways import pathway_sheet
from tests.conftest import AREAS_PATH, SAFE_HOUSE_ID, SAMPLE_PATH, sample_document

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def index() -> DirectoryIndex:
    _, providers = parse_directory(read_json(SAMPLE_PATH))
    gazetteer = Gazetteer(parse_admin_areas(read_json(AREAS_PATH)))
    return DirectoryIndex(providers, gazetteer, max_distance_km=50.0, revision=7)


def _sheet(index: DirectoryIndex, lang: str = "en", pcode: str = "CF7113") -> Sheet:
    return pathway_sheet(index=index, pcode=pcode, lang=lang, now=NOW, weights=RankingWeights())


def test_blocks_come_in_the_caseworkers_order_entry_points_first_police_last(index):
    sheet = _sheet(index)
    assert [block.key for block in sheet.blocks] == [
        "entry_points",
        "health",
        "psychosocial",
        "legal",
        "safety",
        "police",
    ]
    assert sheet.blocks[-1].note == "Only if the survivor wishes."
    entry_points = sheet.blocks[0].rows
    assert "Ligne d'écoute VBG (exemple)" in {row.provider for row in entry_points}
    assert all(block.rows for block in sheet.blocks)


def test_the_title_names_the_area_its_pcode_cod_version_date_and_revision(index):
    sheet = _sheet(index, "fr")
    assert sheet.title == "Circuit de référencement VBG – Arrondissement 3"
    assert "CF7113" in sheet.area_line and "201506" in sheet.area_line
    assert sheet.printed_line == "Imprimé le 2026-12-01 · révision de l'annuaire 7"
    assert sheet.steps == STEPS["fr"]
    assert any("Exemple illustratif" in line for line in sheet.footer)
    assert any("OpenStreetMap" in line for line in sheet.footer)


def test_health_lists_providers_able_to_give_pep_first(index):
    health = _sheet(index).blocks[1]
    assert "HIV post-exposure prophylaxis (PEP)" in health.rows[0].services
    assert "≤ 72 h" in health.note and "≤ 120 h" in health.note


def test_every_row_lists_only_services_of_its_block(index):
    labels = {spec.key: spec for spec in BLOCKS}
    for block in _sheet(index).blocks[1:]:
        assert labels[block.key].needs
        for row in block.rows:
            assert row.services and row.provider


def test_the_safe_house_shows_its_front_door_only(index):
    document = sample_document()
    house = next(f for f in document["features"] if f["id"] == SAFE_HOUSE_ID)
    lon, lat = house["geometry"]["coordinates"]
    for lang in ("fr", "en"):
        sheet = _sheet(index, lang)
        rows = [
            r for b in sheet.blocks for r in b.rows if r.provider == house["properties"]["name"]
        ]
        assert rows, "the safe house is reached through its front door"
        assert {row.where for row in rows} == {TEXT[lang]["confidential"]}
        assert all(row.confidential for row in rows)
        printed = repr(dataclasses.asdict(sheet))
        assert str(lon) not in printed and str(lat) not in printed
        # Its own arrondissement (adm3, CF7117) never shows.
        assert "Arrondissement 7" not in printed


def test_a_fee_for_general_care_does_not_make_care_after_rape_paid(index):
    health = _sheet(index).blocks[1]
    cnhu = next(row for row in health.rows if row.provider.startswith("Centre National"))
    assert cnhu.cost == "Free; fee: General medical care"


def test_hours_read_in_the_sheets_language():
    assert hours_text("Mo-Fr 08:00-16:00; Sa 08:00-12:00", "fr") == (
        "Lu-Ve 08:00-16:00, Sa 08:00-12:00"
    )
    assert hours_text("Tu,Th 09:00-15:00", "en") == "Tue,Thu 09:00-15:00"
    assert hours_text("24/7", "fr") == "24 h/24, 7 j/7"
    assert hours_text(None, "en") == "hours to be confirmed"


@pytest.mark.parametrize("pcode", ["CF7113", "CF1111", "CF71"])
def test_the_fonts_carry_every_character_the_sheet_draws(index, pcode):
    regular, bold = (TTFont(name, font_path(name)).face.charToGlyph for name in (REGULAR, BOLD))
    drawn = "ɛƐ"  # Sango, which partners may write names and notes in
    for lang in ("fr", "en"):
        drawn += repr(dataclasses.asdict(_sheet(index, lang, pcode)))
    missing = {char for char in drawn if ord(char) not in regular or ord(char) not in bold}
    assert not missing


def test_the_hour_of_printing_changes_nothing_but_the_date(index):
    morning = pathway_sheet(
        index=index, pcode="CF7113", lang="fr", now=NOW, weights=RankingWeights()
    )
    night = pathway_sheet(
        index=index,
        pcode="CF7113",
        lang="fr",
        now=NOW.replace(hour=21),
        weights=RankingWeights(),
    )
    assert morning == night
