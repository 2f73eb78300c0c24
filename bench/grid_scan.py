"""The grid-scan attack on a safe house, as an anonymous caller would run it.

The sample's safe house gets a small service area (a polygon, then a radius) from its own
organization (a confidential entry's polygon is refused: then it prints the status); then
anonymous searches for shelter over a fine grid around it try to learn where it is from
whether it is listed, its distance band, its score and the `explain` counts.
Prints, for each kind of area, how many probes listed it, how far the centre of those probes
lies from the real place, and how many different answers about it the probes got within one
cell of the public grid (1 everywhere means the scan learns nothing finer than the grid).

    .venv/bin/python bench/grid_scan.py [--step 0.0025] [--size 20]
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from referral_api.app import create_app
from referral_api.db import repository
from referral_api.domain.keys import digest, new_key
from referral_api.settings import Settings

SAFE_HOUSE_ID = "e4bc5348-6feb-500c-94bc-14c6f208b690"
HOUSE = (18.6071, 4.3842)
CELL_DEGREES = 0.05  # the public grid the answers should not be finer than


def _owner_key(client: TestClient) -> dict[str, str]:
    key = new_key()
    with Session(client.app.state.runtime.engine) as session:  # type: ignore[attr-defined]
        repository.add_key(
            session=session,
            key_id=key.key_id,
            organization_id="femmes-debout",
            role="partner",
            secret_hash=digest(key.text),
        )
        session.commit()
    return {"Authorization": f"Bearer {key.text}"}


def _set_area(client: TestClient, owner: dict[str, str], area: dict[str, Any]) -> int:
    """Give the house that service area; the status of the change."""
    current = client.get(f"/v1/providers/{SAFE_HOUSE_ID}", headers=owner)
    response = client.patch(
        f"/v1/providers/{SAFE_HOUSE_ID}",
        json={"service_area": {"geometry": None, "radius_km": None, **area}},
        headers={**owner, "If-Match": current.headers["etag"]},
    )
    return response.status_code


def _about_house(answer: dict[str, Any]) -> str:
    """What the answer says about the safe house, as one comparable string: whether it is
    listed (it is the only shelter), as what (band, score, notes), and the `explain` counts.
    Whether it also makes the three safe entry points depends on how the public
    case-management points near the probe score, which anyone can compute: left out."""
    shown = [
        [{key: value for key, value in option.items() if key != "rank"}, answer["providers"][id_]]
        for option in answer["options"]
        if (id_ := option["provider_id"]) == SAFE_HOUSE_ID
    ]
    return json.dumps([shown, answer["explanation"]], sort_keys=True)


def scan(client: TestClient, step: float, size: int) -> dict[str, Any]:
    """Probe a size × size grid around the house; what the probes reveal."""
    hits: list[tuple[float, float]] = []
    answers_by_cell: dict[tuple[int, int], set[str]] = defaultdict(set)
    for row in range(size):
        for column in range(size):
            lon = HOUSE[0] + (column - size / 2) * step
            lat = HOUSE[1] + (row - size / 2) * step
            response = client.post(
                "/v1/referrals/search",
                json={"lat": lat, "lon": lon, "needs": ["safety.shelter"], "explain": True},
            )
            answer = response.json()
            if any(o["provider_id"] == SAFE_HOUSE_ID for o in answer["options"]):
                hits.append((lon, lat))
            cell = (math.floor(lon / CELL_DEGREES), math.floor(lat / CELL_DEGREES))
            answers_by_cell[cell].add(_about_house(answer))
    result: dict[str, Any] = {"probes": size * size, "listed_in": len(hits)}
    if hits and len(hits) < size * size:
        lon = sum(h[0] for h in hits) / len(hits)
        lat = sum(h[1] for h in hits) / len(hits)
        dx = (lon - HOUSE[0]) * 111_320 * math.cos(math.radians(HOUSE[1]))
        dy = (lat - HOUSE[1]) * 110_574
        result["centre_of_hits_m_from_house"] = round(math.hypot(dx, dy))
    result["cells_probed"] = len(answers_by_cell)
    result["most_answers_in_one_cell"] = max(len(found) for found in answers_by_cell.values())
    return result


def main() -> None:
    """Run the scan for a polygon and for a radius service area."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=float, default=0.0025, help="degrees between probes")
    parser.add_argument("--size", type=int, default=20, help="probes per side")
    args = parser.parse_args()
    west, south = HOUSE[0] - 0.005, HOUSE[1] - 0.005
    east, north = HOUSE[0] + 0.005, HOUSE[1] + 0.005
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    areas = {
        "polygon_1km": {"geometry": {"type": "Polygon", "coordinates": [ring]}},
        "radius_1km": {"radius_km": 1.0},
    }
    report = {}
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'scan.sqlite3'}"
        with TestClient(create_app(Settings(database_url=url))) as client:
            owner = _owner_key(client)
            for name, area in areas.items():
                status = _set_area(client, owner, area)
                # A confidential entry may not declare a polygon: nothing to scan then.
                report[name] = (
                    scan(client, args.step, args.size)
                    if status == 200
                    else {"refused_with": status}
                )
                print(name, report[name])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
