"""Record the API's answers over a varied corpus of requests, or compare with a recording.

A refactoring must not change what any caller sees. This runs the real app on a fresh copy
of the sample, as an anonymous caller, the safe house's own partner, another partner and an
admin, over searches, listings, entries, the change feed, reference data and a few writes
and failures; it writes every status, the headers that carry meaning and the body.

    .venv/bin/python scripts/record_answers.py record before.json
    .venv/bin/python scripts/record_answers.py compare before.json   # exit 1 on a difference

Moments the server stamps (write times) and key ids differ between runs: they are masked.
"""

from __future__ import annotations

import itertools
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from referral_api.app import create_app
from referral_api.db import repository
from referral_api.domain.keys import digest, new_key
from referral_api.settings import Settings

SAFE_HOUSE = "e4bc5348-6feb-500c-94bc-14c6f208b690"
CNHU = "9262887b-9646-54c2-a7e8-64aecbba9052"
AT = "2026-12-02T10:30:00+01:00"
KEPT_HEADERS = ("content-type", "etag", "location", "cache-control", "retry-after", "allow")
# Written by the server at the moment of a write or an answer, or random per run.
VOLATILE_KEYS = {
    "updated_at",
    "created_at",
    "last_modified",
    "timeStamp",
    "at",
    "actor_key_id",
    "request_id",
}
_RECENT = re.compile(r"^20(2[7-9]|[3-9]\d)-")


def _searches() -> list[dict[str, Any]]:
    wheres: list[dict[str, Any]] = [
        {"pcode": "CF7113"},
        {"pcode": "CF71"},
        {"pcode": "CF7211"},
        {"place": "Bégoua"},
        {"place": "Bimbo"},
        {"place": "3e arrondissement"},
        {"lat": 4.3612, "lon": 18.5555},
        {"lat": 4.42, "lon": 18.52},
        {"lat": 4.30, "lon": 18.48},
        {"lat": 5.5, "lon": 20.0},
    ]
    needs = [
        ["medical"],
        ["medical.pep"],
        ["psychosocial", "legal"],
        ["safety"],
        ["case_management", "legal.aid"],
        ["medical", "psychosocial", "safety", "legal"],
    ]
    extras: list[dict[str, Any]] = [
        {},
        {"age": 16, "sex": "female", "languages": ["sg"], "time_since_incident": "lt72h"},
        {"time_since_incident": "72to120h", "open_now": True, "lang": "en", "explain": True},
        {"age": 40, "sex": "male", "max_distance_km": 5, "limit": 3},
        {"accessibility": ["wheelchair"], "population": "idp", "time_since_incident": "gt120h"},
    ]
    corpus = []
    for index, (where, need, extra) in enumerate(itertools.product(wheres, needs, extras)):
        if index % 3 == 0:  # a third of the 300 combinations: varied, and quick
            corpus.append({**where, "needs": need, "at": AT, **extra})
    corpus += [
        {"needs": ["medical"]},
        {"pcode": "XX99", "needs": ["medical"], "at": AT},
        {"place": "Nowhere at all", "needs": ["medical"], "at": AT},
        {"pcode": "CF7113", "needs": ["no.such"], "at": AT},
        {"pcode": "CF7113", "needs": ["medical"], "name": "x", "at": AT},
    ]
    return corpus


def _reads() -> list[str]:
    return [
        "/v1/providers",
        "/v1/providers?limit=7",
        "/v1/providers?need=medical",
        "/v1/providers?need=safety.shelter",
        "/v1/providers?need=nope",
        "/v1/providers?pcode=CF7113",
        "/v1/providers?pcode=CF71&limit=200",
        "/v1/providers?bbox=18.50,4.33,18.62,4.43",
        "/v1/providers?bbox=bad",
        "/v1/providers?status=active",
        "/v1/providers?modified_after=2026-01-01T00:00:00Z",
        "/v1/providers?modified_after=2026-01-01",
        f"/v1/providers/{CNHU}",
        f"/v1/providers/{SAFE_HOUSE}",
        "/v1/providers/00000000-0000-0000-0000-000000000000",
        "/v1/providers/not-a-uuid",
        f"/v1/providers/{SAFE_HOUSE}/history",
        f"/v1/providers/{CNHU}/history",
        "/v1/changes",
        "/v1/changes?after=10&limit=5",
        "/v1/needs",
        "/v1/areas",
        "/v1/areas?level=3&parent=CF711",
        "/v1/areas/CF7113",
        "/v1/areas/XX",
        "/healthz",
        "/readyz",
        "/v1/organizations",
        "/v1/exports/providers.hxl.csv",
        "/hsds/services?per_page=100",
        f"/hsds/services/{SAFE_HOUSE}",
        "/ogc/collections/providers/items?limit=100",
        f"/ogc/collections/providers/items/{SAFE_HOUSE}",
    ]


# The same entries as GeoJSON (`Accept: application/geo+json`).
GEOJSON_READS = ("/v1/providers?limit=200", f"/v1/providers/{SAFE_HOUSE}", f"/v1/providers/{CNHU}")


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: "<masked>" if key in VOLATILE_KEYS and value[key] is not None else _mask(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_mask(item) for item in value]
    if isinstance(value, str) and _RECENT.match(value):
        return "<moment>"
    return value


def _answer(response: Any) -> dict[str, Any]:
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    return {"status": response.status_code, "headers": headers, "body": _mask(body)}


def _key(client: TestClient, organization_id: str, role: str = "partner") -> dict[str, str]:
    key = new_key()
    with Session(client.app.state.runtime.engine) as session:
        repository.add_key(
            session=session,
            key_id=key.key_id,
            organization_id=organization_id,
            role=role,
            secret_hash=digest(key.text),
        )
        session.commit()
    return {"Authorization": f"Bearer {key.text}"}


def _writes(client: TestClient, owner: dict[str, str], other: dict[str, str]) -> list[Any]:
    answers = []
    for headers in (other, owner):
        current = client.get(f"/v1/providers/{SAFE_HOUSE}", headers=headers)
        etag = current.headers.get("etag", '"0"')
        for if_match in (None, '"999"', "W/" + etag, etag):
            sent = {**headers, **({"If-Match": if_match} if if_match else {})}
            patch = {"opening_hours": "Mo-Su 00:00-24:00"}
            response = client.patch(f"/v1/providers/{SAFE_HOUSE}", json=patch, headers=sent)
            answers.append(["PATCH", if_match is not None, _answer(response)])
    verify = client.post(f"/v1/providers/{CNHU}/verify", headers=owner)
    answers.append(["verify", _answer(verify)])
    bad = client.post(
        "/v1/providers", content=b"{not json", headers={**owner, "content-type": "application/json"}
    )
    answers.append(["not json", _answer(bad)])
    return answers


def record() -> dict[str, Any]:
    """Every answer of the corpus, by caller."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{Path(folder) / 'answers.sqlite3'}")
        with TestClient(create_app(settings)) as client:
            callers = {
                "anonymous": {},
                "owner": _key(client, "femmes-debout"),
                "other": _key(client, "clinique-juridique"),
                "admin": _key(client, "fonds-protection", "admin"),
                "bad key": {"Authorization": "Bearer rk_nothing_nothing"},
            }
            answers: dict[str, Any] = {}
            for name, headers in callers.items():
                searches = [
                    _answer(client.post("/v1/referrals/search", json=query, headers=headers))
                    for query in _searches()
                ]
                searches.append(
                    _answer(
                        client.get(
                            "/v1/referrals",
                            params={"pcode": "CF7113", "needs": "medical,legal", "at": AT},
                            headers=headers,
                        )
                    )
                )
                reads = {path: _answer(client.get(path, headers=headers)) for path in _reads()}
                geojson = {"Accept": "application/geo+json", **headers}
                for path in GEOJSON_READS:
                    reads[f"geojson {path}"] = _answer(client.get(path, headers=geojson))
                answers[name] = {"searches": searches, "reads": reads}
            answers["writes"] = _writes(client, callers["owner"], callers["other"])
            answers["after writes"] = {
                path: _answer(client.get(path, headers=callers["other"]))
                for path in ("/v1/changes?after=0&limit=1000", f"/v1/providers/{SAFE_HOUSE}")
            }
    return answers


def main() -> int:
    """Record to, or compare with, the file named on the command line."""
    if len(sys.argv) != 3 or sys.argv[1] not in ("record", "compare"):
        sys.stderr.write(__doc__ or "")
        return 2
    path = Path(sys.argv[2])
    answers = json.loads(json.dumps(record(), ensure_ascii=False, sort_keys=True))
    if sys.argv[1] == "record":
        path.write_text(json.dumps(answers, ensure_ascii=False, indent=1, sort_keys=True))
        sys.stdout.write(f"recorded {_count(answers)} answers to {path}\n")
        return 0
    before = json.loads(path.read_text(encoding="utf-8"))
    differences = list(_differences(before, answers, ""))
    for difference in differences[:40]:
        sys.stdout.write(difference + "\n")
    sys.stdout.write(f"{_count(answers)} answers, {len(differences)} difference(s)\n")
    return 1 if differences else 0


def _count(answers: Any) -> int:
    if isinstance(answers, dict):
        if "status" in answers and "body" in answers:
            return 1
        return sum(_count(item) for item in answers.values())
    if isinstance(answers, list):
        return sum(_count(item) for item in answers)
    return 0


def _differences(before: Any, after: Any, where: str) -> Any:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            yield from _differences(before.get(key), after.get(key), f"{where}/{key}")
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from _differences(old, new, f"{where}[{index}]")
    elif before != after:
        yield f"{where}: {json.dumps(before)[:120]} -> {json.dumps(after)[:120]}"


if __name__ == "__main__":
    raise SystemExit(main())
