"""Read the list of named places that have no P-code of their own (`localities.csv`)."""

from __future__ import annotations

import csv
from pathlib import Path

from referral_api.domain.errors import InvalidInputError
from referral_api.domain.gazetteer import Locality


def read_localities(path: Path) -> list[Locality]:
    """The localities in `path` (name, lon, lat, adm3_pcode, source); none if it is absent."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        try:
            return [
                Locality(
                    name=row["name"],
                    lon=float(row["lon"]),
                    lat=float(row["lat"]),
                    adm3_pcode=row["adm3_pcode"] or None,
                )
                for row in csv.DictReader(handle)
            ]
        except (KeyError, ValueError) as error:
            raise InvalidInputError(f"{path} is not a valid localities file: {error}") from None
