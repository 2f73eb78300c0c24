"""The HSDS tabular data package: valid for frictionless, and a lossless round trip."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from frictionless import validate
from typer.testing import CliRunner

from referral_api.cli import app as cli
from referral_api.exchange import read_hsds_folder
from referral_api.interop.hsds import hsds_id
from tests.conftest import SAFE_HOUSE_ID

HOUSE_LOCATION = hsds_id("location", SAFE_HOUSE_ID)


def _url(client) -> str:
    return client.app.state.runtime.engine.url.render_as_string(hide_password=False)


def _run(monkeypatch, url: str, *args: str) -> str:
    monkeypatch.setenv("REFERRAL_DATABASE_URL", url)
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def exported(sample_client, tmp_path_factory) -> dict[str, Path]:
    folders = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, extra in (("full", []), ("public", ["--public"])):
            folder = tmp_path_factory.mktemp(name)
            _run(
                monkeypatch, _url(sample_client), "export", "--format", "hsds", str(folder), *extra
            )
            folders[name] = folder
    return folders


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_frictionless_finds_the_package_valid(exported):
    # The public package is the full one with cells left empty: validating one (2-5 s)
    # suffices; both are checked for their descriptor.
    report = validate(exported["full"] / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    for folder in exported.values():
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        written = {p.name for p in folder.iterdir()} - {"datapackage.json"}
        assert {r["path"] for r in descriptor["resources"]} == written  # pruned to the files
        assert descriptor["license"]["type"] == "CC-BY-SA-4.0"


def test_frictionless_refuses_a_broken_copy(exported, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    descriptor = json.loads((exported["full"] / "datapackage.json").read_text(encoding="utf-8"))
    kept = [r for r in descriptor["resources"] if r["name"] in ("organization", "service")]
    for resource in kept:
        resource["schema"]["foreignKeys"] = []
        shutil.copy(exported["full"] / resource["path"], broken / resource["path"])
    (broken / "datapackage.json").write_text(json.dumps({**descriptor, "resources": kept}))
    assert validate(broken / "datapackage.json").valid
    services = (broken / "services.csv").read_text(encoding="utf-8").splitlines()
    services[1] = "not-a-uuid" + services[1][36:]
    (broken / "services.csv").write_text("\n".join(services) + "\n", encoding="utf-8")
    report = validate(broken / "datapackage.json")
    assert not report.valid
    assert "not-a-uuid" in str(report.flatten(["cell"]))


def test_the_full_package_holds_the_house_and_the_public_one_does_not(exported):
    full = {row["id"]: row for row in _rows(exported["full"], "locations.csv")}
    public = {row["id"]: row for row in _rows(exported["public"], "locations.csv")}
    assert full[HOUSE_LOCATION]["latitude"] == "4.3842"
    assert public[HOUSE_LOCATION]["latitude"] == public[HOUSE_LOCATION]["external_identifier"] == ""
    public_text = "".join(p.read_text(encoding="utf-8") for p in exported["public"].iterdir())
    assert "4.3842," not in public_text and "18.6071" not in public_text


def test_our_directory_survives_hsds_and_back(exported, sample_client, tmp_path, monkeypatch):
    original = tmp_path / "original.geojson"
    _run(monkeypatch, _url(sample_client), "export", str(original))
    target = f"sqlite:///{tmp_path / 'reloaded.sqlite3'}"
    loaded = _run(monkeypatch, target, "load", "--format", "hsds", str(exported["full"]))
    assert "loaded 55 providers and 7 organizations" in loaded
    assert "not kept" not in loaded
    again = tmp_path / "again.geojson"
    _run(monkeypatch, target, "export", str(again))
    before, after = (json.loads(p.read_text(encoding="utf-8")) for p in (original, again))
    assert after["organizations"] == before["organizations"]
    assert {f["id"]: f for f in after["features"]} == {f["id"]: f for f in before["features"]}


def test_a_foreign_package_loads_as_far_as_our_model_goes(exported, tmp_path):
    foreign = tmp_path / "foreign"
    shutil.copytree(exported["public"], foreign)
    (foreign / "organization_identifiers.csv").unlink()
    terms = {row["id"]: row["taxonomy"] for row in _rows(foreign, "taxonomy_terms.csv")}
    attributes = _rows(foreign, "attributes.csv")
    kept = [a for a in attributes if terms[a["taxonomy_term_id"]] == "referral-api GBV needs"]
    kept = kept[1:]  # one service loses its need: nothing of ours can hold it
    with (foreign / "attributes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(attributes[0]))
        writer.writeheader()
        writer.writerows(kept)
    package = read_hsds_folder(foreign)
    services = sum(len(p.services) for p in package.providers)
    # One service lost its need; the safe house's two have no coordinates in the public view.
    assert services == len(_rows(foreign, "services.csv")) - 1 - 2
    # Grouped by location: one provider per service point, as before.
    assert len(package.providers) == 54
    assert any("(Maison" in line and "no coordinates" in line for line in package.dropped)
    assert any("no need of our taxonomy" in line for line in package.dropped)
    assert sum("given the id" in line for line in package.dropped) == 7
    assert len({o.id for o in package.organizations}) == 7
