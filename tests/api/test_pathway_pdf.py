"""The printed referral pathway through the real app: read back with poppler's own tools."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from referral_api.pathways import pathway_sheet
from tests.conftest import SAFE_HOUSE_ID, sample_document

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="needs pdftotext and pdftoppm (Debian package poppler-utils; .ci/run installs it)",
)


def _text(pdf: Path) -> str:
    # -raw keeps each table cell's lines together; wrapped lines are joined back.
    raw = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return " ".join(raw.split())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sheet_prints_every_provider_phone_and_heading(sample_client, tmp_path, lang):
    response = sample_client.get("/v1/areas/CF7113/pathway.pdf", params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / f"pathway-CF7113-{lang}.pdf"
    pdf.write_bytes(response.content)
    text = _text(pdf)
    sheet = pathway_sheet(
        index=sample_client.app.state.runtime.snapshots.current(),
        pcode="CF7113",
        lang=lang,
        now=datetime.now(UTC),
        weights=sample_client.app.state.runtime.search_engine.weights,
    )
    expected = [sheet.title, sheet.area_line, sheet.steps_heading, *sheet.steps]
    for block in sheet.blocks:
        expected += [block.heading, block.note]
        for row in block.rows:
            expected += [row.provider, row.phones, row.where, row.focal_point]
    missing = [phrase for phrase in expected if " ".join(phrase.split()) not in text]
    assert not missing
    assert "+23600000000" in text  # the sample hotline
    assert (
        "Uniquement si la survivante le souhaite" if lang == "fr" else "Only if the survivor wishes"
    ) in text
    assert ("Exemple illustratif" if lang == "fr" else "Illustrative sample") in text
    page = tmp_path / f"pathway-CF7113-{lang}"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(page)], check=True
    )
    assert next(tmp_path.glob(f"pathway-CF7113-{lang}*.png")).stat().st_size > 10_000


def test_the_sheet_never_says_where_the_safe_house_is(sample_client, tmp_path):
    house = next(f for f in sample_document()["features"] if f["id"] == SAFE_HOUSE_ID)
    lon, lat = house["geometry"]["coordinates"]
    pdf = tmp_path / "pathway.pdf"
    pdf.write_bytes(sample_client.get("/v1/areas/CF7117/pathway.pdf").content)
    text = _text(pdf)
    assert house["properties"]["name"] in text
    assert "Adresse confidentielle, via la gestion de cas" in text
    assert str(lon) not in text and str(lat) not in text


def test_an_unknown_area_or_language_is_a_problem(sample_client):
    missing = sample_client.get("/v1/areas/CF9999/pathway.pdf")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert sample_client.get("/v1/areas/CF7113/pathway.pdf?lang=de").status_code == 422
