"""Real answers from the shipped sample directory, shown as examples on the docs page.

They are recorded by `scripts/record_examples.py` (which calls `record`) and a test fails
when the code's answers drift from them, so an example never shows what the service would
not answer.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from referral_api.api.search_schemas import EXAMPLE_REQUEST

FOLDER = Path(__file__).parent
# The examples answer the built-in request on a Friday morning in Bangui.
MOMENT = "2026-11-27T10:00:00+01:00"
LOADED_AT = "2026-11-20T08:00:00Z"
SAMPLE_PROVIDER = "8986f370-d591-5769-8bd7-97cb771ca707"
EXAMPLE_SUMMARIES = {
    "fr": "Réponse réelle de l'annuaire d'exemple (en français, vendredi 27/11/2026 à 10 h)",
    "en": "A real answer of the sample directory (in English, Friday 27/11/2026 10:00)",
}


class _Client(Protocol):
    def get(self, url: str, **kwargs: Any) -> Any: ...
    def post(self, url: str, **kwargs: Any) -> Any: ...


def record(client: _Client) -> dict[str, str]:
    """The examples as file name → content, answered by `client` (an app on the sample)."""
    files: dict[str, str] = {}
    for lang in ("fr", "en"):
        body = {**EXAMPLE_REQUEST, "lang": lang, "at": MOMENT}
        answer = client.post("/v1/referrals/search", json=body)
        files[f"search.{lang}.json"] = _json(answer.json())
        text = client.post("/v1/referrals/search", json=body, headers={"Accept": "text/plain"})
        files[f"search.{lang}.txt"] = text.text
    one = client.get(f"/v1/providers/{SAMPLE_PROVIDER}").json()
    files["provider.json"] = _json(_loaded_at_moment(one))
    page = client.get("/v1/providers", params={"limit": 2}).json()
    page["items"] = [_loaded_at_moment(item) for item in page["items"]]
    files["providers.json"] = _json(page)
    files["needs.json"] = _json(client.get("/v1/needs").json())
    files["area.json"] = _json(client.get("/v1/areas/CF7113").json())
    return files


def _loaded_at_moment(entry: dict[str, Any]) -> dict[str, Any]:
    # The server stamps entries when the sample is loaded; an example shows one moment.
    return {**entry, "created_at": LOADED_AT, "updated_at": LOADED_AT}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


@cache
def example(name: str) -> Any:
    """One recorded example: JSON as data, text as a string."""
    text = (FOLDER / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text
