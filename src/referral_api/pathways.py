"""Use case of the printed referral pathway: search the area's snapshot, build its sheet."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from referral_api.domain.directory import DirectoryIndex
from referral_api.domain.errors import NotFoundError
from referral_api.domain.pathway import PATHWAY_NEEDS, SEARCH_DEPTH, Sheet, build_sheet
from referral_api.domain.ranking import RankingWeights, SearchQuery, search


def pathway_sheet(
    *, index: DirectoryIndex, pcode: str, lang: str, now: datetime, weights: RankingWeights
) -> Sheet:
    """The referral pathway of the area with that P-code, as the directory stands `now`."""
    gazetteer = index.gazetteer
    area = gazetteer.area(pcode)
    if area is None:
        raise NotFoundError(f"No admin area with P-code {pcode[:20]}")
    query = SearchQuery(
        place=gazetteer.at_pcode(pcode), needs=PATHWAY_NEEDS, at=now, limit=SEARCH_DEPTH
    )

    def area_name(code: str) -> str | None:
        unit = gazetteer.area(code)
        return unit.name if unit is not None else None

    # A printed sheet is read at every hour: whether a provider is open at the moment of
    # printing must not decide its place on it.
    timeless = replace(weights, open_now=0.0, opens_soon=0.0)
    return build_sheet(
        result=search(index, query, timeless),
        area=area,
        area_name=area_name,
        revision=index.revision,
        printed_at=now,
        lang=lang,
    )
