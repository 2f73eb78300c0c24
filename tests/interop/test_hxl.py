"""The HXL export, read by libhxl and checked by hxlvalidate with our schema."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import hxl
import pytest

from tests.conftest import PROJECT_DIR, SAFE_HOUSE_ID

SCHEMA = PROJECT_DIR / "docs" / "hxl_schema.csv"
HXLVALIDATE = Path(sys.executable).with_name("hxlvalidate")


@pytest.fixture(scope="module")
def export(sample_client, tmp_path_factory) -> Path:
    answer = sample_client.get("/v1/exports/providers.hxl.csv")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    path = tmp_path_factory.mktemp("hxl") / "providers.hxl.csv"
    path.write_bytes(answer.content)
    return path


def _read(path: Path) -> tuple[set[str], list[hxl.model.Row]]:
    # libhxl leaves a file it opens unclosed (a ResourceWarning, an error here): it is
    # given the CSV's rows, which it reads as it would the file.
    with path.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    data = hxl.data(table)
    rows = list(data)
    return {column.display_tag for column in data.columns}, rows


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HXLVALIDATE), "-s", str(SCHEMA), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_libhxl_reads_one_row_per_provider_and_need(export, sample_client):
    tags, rows = _read(export)
    assert {
        "#org+name",
        "#loc+name",
        "#sector+cluster",
        "#subsector",
        "#service+code",
        "#adm1+code",
        "#adm2+code",
        "#adm3+code",
        "#geo+lat",
        "#geo+lon",
        "#contact+phone",
        "#contact+email",
        "#contact+type",
        "#status",
        "#date+reported",
        "#access",
        "#x_hours",
    } <= tags
    services = sample_client.get("/hsds/services").json()["total_items"]
    assert len(rows) == services
    assert {row.get("#sector+cluster") for row in rows} == {"Protection"}
    pairs = {(row.get("#loc+code"), row.get("#service+code")) for row in rows}
    assert len(pairs) == len(rows)


def test_the_safe_house_has_no_point_nor_admin_unit(export):
    rows = [row for row in _read(export)[1] if row.get("#loc+code") == SAFE_HOUSE_ID]
    assert len(rows) == 2
    for row in rows:
        assert row.get("#x_location_withheld") == "true"
        for tag in (
            "#geo+lat",
            "#geo+lon",
            "#adm1+code",
            "#adm2+code",
            "#adm3+code",
            "#adm1+name",
            "#adm2+name",
            "#adm3+name",
        ):
            assert not row.get(tag), tag
        assert row.get("#contact+type") == "Gestionnaire de cas de permanence"
    assert "18.607" not in export.read_text(encoding="utf-8")


def test_hxlvalidate_passes_the_export_and_fails_a_broken_copy(export, tmp_path):
    passed = _validate(export)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Validation succeeded" in passed.stdout
    text = export.read_text(encoding="utf-8")
    broken = tmp_path / "broken.hxl.csv"
    broken.write_text(
        text.replace(",CF7111,", ",CF71-11,", 1)
        .replace(",medical.pep,", ",medical.magic,", 1)
        .replace(",4.396813,", ",40.396813,", 1),
        encoding="utf-8",
    )
    failed = _validate(broken)
    assert failed.returncode == 1
    for complaint in ("CF71-11", "medical.magic", "40.396813"):
        assert complaint in failed.stdout, complaint
