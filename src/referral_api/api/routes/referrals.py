"""Referral search: ranked, explained options for a place, needs and a profile."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Body, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from referral_api import operations
from referral_api.api.deps import SEARCH_OPENAPI, search_caller
from referral_api.api.examples import EXAMPLE_SUMMARIES, example
from referral_api.api.problems import PROBLEM_RESPONSES
from referral_api.api.runtime import runtime_of
from referral_api.api.search_answer import AnswerRenderer, RenderedParts
from referral_api.api.search_schemas import (
    OPENAPI_EXAMPLES,
    SearchRequest,
    SearchResponse,
    need_label,
)
from referral_api.api.search_text import render_text
from referral_api.domain.access import Viewer
from referral_api.domain.gazetteer import Place
from referral_api.domain.languages import chosen_language
from referral_api.domain.ranking import SearchResult
from referral_api.logs import coarse

router = APIRouter(prefix="/v1", tags=["Referrals"])
logger = logging.getLogger("referral_api.search")

DESCRIPTION = """
Where should this survivor be referred, in what order, and why?

Say **where** with one of: `lat` and `lon`, a `pcode` (e.g. `CF7113`, the 3rd arrondissement
of Bangui), or a `place` name (`Bégoua`, `Bimbo`, `3e arrondissement`). Say **what for** with
one or more `needs` (`medical`, `psychosocial`, `legal`, `safety`, `case_management`, or a
precise code such as `medical.pep`). Add what you know of the survivor (`age`, `sex`,
`languages`, `accessibility`) and **how long ago** it happened (`time_since_incident`):
`lt72h` (less than 72 hours: places able to give PEP come first), `72to120h` (72 to 120
hours: emergency contraception first), `gt120h` (more than 120 hours) or `unknown` (treated
as less than 72 hours).

The answer gives the safe entry points first (case management or a hotline, always at least
one), then the best options for each need, each with a one-line `summary`, its `reasons` and
its `warnings`. Choose `text/plain` as the answer's media type to read it as a numbered list.
Nothing is reported or contacted automatically, and the location you send is not stored.
"""


# The search endpoints are coroutines on purpose: ranking is a millisecond of pure CPU on the
# in-memory snapshot, and running it on the event loop avoids a thread hop and the GIL
# contention of many CPU-bound pool threads, which cut throughput several times over.
def _json(body: dict[str, Any]) -> Response:
    # The answer is built from validated parts (provider documents are validated once per
    # snapshot): serialize it directly rather than validate the whole tree again per request.
    # It tells where a survivor may go: no cache along the way, nor the browser's, keeps it.
    # UTC as "Z", as in the providers' own moments.
    return Response(
        orjson.dumps(body, option=orjson.OPT_UTC_Z), media_type="application/json", headers=NO_STORE
    )


NO_STORE = {"Cache-Control": "no-store"}


async def _respond(request: SearchRequest, http: Request) -> Response:
    caller = await search_caller(http)
    searcher, viewer = caller.engine, caller.viewer
    snapshots = searcher.snapshots
    # The first search after a start without a snapshot builds it off the event loop.
    index = snapshots.current() if snapshots.built else await run_in_threadpool(snapshots.refresh)
    lang = chosen_language(request.lang, http.headers.get("accept-language"))
    # A whole second: hours are to the minute, and the answer says when it was evaluated.
    at = request.at or datetime.now(UTC).replace(microsecond=0)
    where, draft = operations.search_request(request, at=at)
    place, result = operations.search_referrals(
        index=index, where=where, query=draft, weights=searcher.weights
    )
    _log(request, place.pcodes, result)
    runtime_of(http.app).metrics.searched(draft.needs)
    if prefers_text(http.headers.get("accept")):
        moment = f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        text = render_text(
            result, place, draft.needs, draft.time_since_incident, moment, lang, viewer
        )
        return Response(text, media_type="text/plain; charset=utf-8", headers=NO_STORE)
    parts = searcher.rendered_parts.for_snapshot(index)
    return _json(_response(result, place, draft, lang, viewer, index.revision, parts))


# Clients send the same few Accept headers search after search.
@lru_cache(maxsize=256)
def prefers_text(accept: str | None) -> bool:
    """Whether the client asks for the plain-text list rather than JSON (by q-value;
    JSON wins ties and whatever `*/*` covers, so systems get JSON by default)."""
    best: dict[str, float] = {}
    for part in (accept or "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        best[media.lower()] = max(best.get(media.lower(), 0.0), quality)
    text = max(best.get("text/plain", 0.0), best.get("text/*", 0.0) * 0.999)
    json_ = max(best.get("application/json", 0.0), best.get("*/*", 0.0) * 0.999)
    return text > json_


def _log(request: SearchRequest, pcodes: tuple[str, ...], result: SearchResult) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    # Never the exact point: coordinates rounded to about 1 km, or the area's P-code.
    if request.lat is not None and request.lon is not None:
        where = f"near=({coarse(request.lat)},{coarse(request.lon)})"
    else:
        where = f"area={pcodes[0] if pcodes else '-'}"
    logger.info(
        "search %s needs=%s window=%s options=%d",
        where,
        ",".join(request.needs),
        request.time_since_incident.value,
        len(result.options),
    )


def _response(
    result: SearchResult,
    place: Place,
    draft: operations.SearchQueryDraft,
    lang: str,
    viewer: Viewer,
    revision: int,
    parts: RenderedParts,
) -> dict[str, Any]:
    """The answer as JSON data in the shape of `SearchResponse` (a test holds it to it)."""

    out = AnswerRenderer(parts, viewer, lang)
    answer = {
        "area": {"pcodes": list(place.pcodes), "label": place.label},
        "needs": list(draft.needs),
        "time_since_incident": draft.time_since_incident.value,
        "evaluated_at": draft.at,
        "lang": lang,
        "options": out(result.options),
        "pathway": [
            {"need": p.need, "label": need_label(p.need, lang), "options": out(p.options)}
            for p in result.pathway
        ],
        "one_stop": out(result.one_stop),
        "safe_entry_points": out(result.safe_entry_points),
        "providers": out.cards(),
        "notes": out.notes,
        "directory_revision": revision,
    }
    if result.exclusions is not None:
        answer["explanation"] = {
            "providers_in_directory": result.considered,
            "excluded": result.exclusions,
        }
    return answer


# Real answers of the sample to the built-in request (see `api.examples`), JSON and text.
ANSWER_EXAMPLES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {
            "application/json": {
                "examples": {
                    lang: {"summary": summary, "value": example(f"search.{lang}.json")}
                    for lang, summary in EXAMPLE_SUMMARIES.items()
                }
            },
            "text/plain": {
                "schema": {"type": "string"},
                "examples": {
                    lang: {"summary": summary, "value": example(f"search.{lang}.txt")}
                    for lang, summary in EXAMPLE_SUMMARIES.items()
                },
            },
        }
    }
}


@router.post(
    "/referrals/search",
    summary="Find where to refer a survivor",
    description=DESCRIPTION,
    response_model=SearchResponse,
    responses={**ANSWER_EXAMPLES, **PROBLEM_RESPONSES},
    openapi_extra=SEARCH_OPENAPI,
)
async def search_referrals(
    request: Annotated[SearchRequest, Body(openapi_examples=OPENAPI_EXAMPLES)], http: Request
) -> Response:
    """Find where to refer a survivor."""
    return await _respond(request, http)


@router.get(
    "/referrals",
    summary="Find where to refer a survivor (query string)",
    description=(
        "The same search with its fields as query parameters, for quick links and tests. "
        "Prefer `POST /v1/referrals/search` for real cases: a location in a URL ends up in "
        "browser histories and proxy logs."
    ),
    response_model=SearchResponse,
    responses={**ANSWER_EXAMPLES, **PROBLEM_RESPONSES},
    openapi_extra=SEARCH_OPENAPI,
)
async def search_referrals_get(
    request: Annotated[SearchRequest, Query()], http: Request
) -> Response:
    """Find where to refer a survivor (query string)."""
    return await _respond(request, http)
