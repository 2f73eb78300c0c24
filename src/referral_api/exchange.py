"""Use cases of the exchange formats: HXL and the HSDS tabular data package."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from referral_api.db import repository
from referral_api.domain.errors import FieldProblem, InvalidInputError
from referral_api.domain.validation import provider_problems
from referral_api.interop import hsds_tabular, hxl
from referral_api.interop.geojson import read_json


def hxl_export(*, session: Session) -> str:
    """The public directory as HXL-tagged CSV: what anyone may publish on HDX."""
    areas = repository.list_admin_areas(session=session, level=None, parent_pcode=None)
    table = hxl.rows(
        repository.list_organizations(session=session),
        repository.all_providers(session=session),
        {area.pcode: area.name for area in areas},
    )
    return hxl.to_csv(table)


@dataclass(frozen=True, slots=True)
class TabularExport:
    """What an HSDS tabular export wrote."""

    files: list[str]
    services: int


def hsds_export(*, session: Session, folder: Path, public: bool) -> TabularExport:
    """Write the directory as an HSDS data package into `folder`: the whole directory,
    confidential locations included, unless `public` (then as the /hsds API shows it)."""
    organizations = repository.list_organizations(session=session)
    providers = repository.all_providers(session=session)
    build = hsds_tabular.public_catalogue if public else hsds_tabular.full_catalogue
    catalogue = build(organizations, providers)
    written = hsds_tabular.package(catalogue)
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in written.files.items():
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
    (folder / "datapackage.json").write_text(
        json.dumps(written.descriptor, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return TabularExport(sorted(written.files), len(catalogue.services))


def read_hsds_folder(folder: Path) -> hsds_tabular.LoadedPackage:
    """The organizations and providers of the HSDS data package in `folder`, validated."""
    descriptor_path = folder / "datapackage.json"
    if descriptor_path.exists():
        descriptor = read_json(descriptor_path)
    else:
        descriptor = hsds_tabular.datapackage_template()
    tables: dict[str, list[dict[str, str]]] = {}
    for resource in descriptor.get("resources", []):
        path = folder / str(resource.get("path", ""))
        if path.is_file():
            with path.open(encoding="utf-8-sig", newline="") as handle:
                tables[str(resource["name"])] = list(csv.DictReader(handle))
    if "service" not in tables:
        raise InvalidInputError(f"{folder} holds no services.csv")
    loaded = hsds_tabular.read_package(tables)
    problems = [
        FieldProblem(("provider", str(provider.id), *problem.location), problem.message)
        for provider in loaded.providers
        for problem in provider_problems(provider)
    ]
    if problems:
        raise InvalidInputError(f"The package is not valid ({len(problems)} problem(s))", problems)
    return loaded
