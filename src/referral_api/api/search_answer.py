"""The search answer as JSON data, rendered for one caller in the shape of `SearchResponse`.

Providers come back in answer after answer, so what depends on the provider alone is
rendered once per directory snapshot; what depends on the query (distance, hours, notes,
summary) is added per answer. Options name their reasons and warnings by code, and the
answer words each code once, in `notes`. What a caller may see of a confidential provider
is decided by `access.seen`, and the distance to a withheld one is given as a band.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from referral_api.api.search_schemas import ProviderBasics
from referral_api.documents import Location, ProviderProperties, ServiceDocument
from referral_api.domain import access
from referral_api.domain.access import Viewer
from referral_api.domain.directory import Entry
from referral_api.domain.explanations import Note, distance_band
from referral_api.domain.model import Service
from referral_api.domain.ranking import Option
from referral_api.domain.ranking.summary import SummaryLines

NOTES_KEPT = 10_000


class RenderedParts:
    """Response parts that depend on the provider alone, built once per directory snapshot.

    Providers come back in answer after answer; their cards and service documents are
    validated and dumped the first time and reused until the snapshot changes. Notes
    repeat too: each (note, language) is worded once.
    """

    def __init__(self) -> None:
        self._snapshot: object = None
        self._cards: dict[tuple[str, bool], dict[str, Any]] = {}
        self._services: dict[int, tuple[Service, dict[str, Any]]] = {}
        self._notes: dict[str, dict[Note, str]] = {}
        self.summaries = SummaryLines()

    def for_snapshot(self, snapshot: object) -> RenderedParts:
        """Forget everything when the snapshot changed."""
        if snapshot is not self._snapshot:
            self._snapshot = snapshot
            self._cards = {}
            self._services = {}
            self.summaries = SummaryLines()
        return self

    def card(self, entry: Entry, shown: access.Seen) -> dict[str, Any]:
        """What the answer says of the provider itself, as `shown` to the caller."""
        key = (entry.id_text, shown.location_withheld)
        found = self._cards.get(key)
        if found is None:
            card = _card(shown)
            found = self._cards[key] = card.model_dump(mode="json", exclude_defaults=True)
        return found

    def service(self, service: Service) -> dict[str, Any]:
        """The document of a service."""
        found = self._services.get(id(service))
        # The service is kept alongside so that its id cannot be reused while cached.
        if found is None or found[0] is not service:
            document = ServiceDocument.of(service).model_dump(mode="json", exclude_defaults=True)
            found = self._services[id(service)] = (service, document)
        return found[1]

    def sentence(self, said: Note, lang: str) -> str:
        """The note in `lang`."""
        cache = self._notes.get(lang)
        if cache is None or len(cache) >= NOTES_KEPT:  # the languages asked for make many
            cache = self._notes[lang] = {}
        message = cache.get(said)
        if message is None:
            message = cache[said] = said.message(lang)
        return message


class AnswerRenderer:
    """The lists of one answer for orjson, in the shape of `SearchResponse`, as `viewer`
    sees them: the lists refer to providers, and `cards` gives each provider once."""

    def __init__(self, parts: RenderedParts, viewer: Viewer, lang: str) -> None:
        self.parts = parts
        self.viewer = viewer
        self.lang = lang
        self.notes: dict[str, str] = {}
        self._first: dict[str, Option] = {}
        self._urgent: set[str] = set()

    def __call__(self, options: Iterable[Option]) -> list[dict[str, Any]]:
        """The options of a list, in order (a list's order is its ranking)."""
        out = []
        for option in options:
            facts = option.facts
            key = facts.entry.id_text
            first = self._first.setdefault(key, option)
            ranked: dict[str, Any] = {"provider_id": key, "score": round(option.score, 3)}
            if option.urgent:
                ranked["tier"] = facts.tier
                self._urgent.add(key)
            matched = facts.seen.matched_needs
            if matched != first.facts.seen.matched_needs:
                # Listed here for other needs than on its card (an entry point, say): the
                # services that answer them come along.
                ranked["matched_needs"] = list(matched)
                ranked["services"] = [self.parts.service(s) for s in facts.seen.services]
            if option.list_warnings:
                ranked["warnings"] = self._codes(option.list_warnings)
            out.append(ranked)
        return out

    def cards(self) -> dict[str, dict[str, Any]]:
        """Every provider the lists refer to, once, after the lists are rendered: urgency
        speaks on a card when it ordered any list the provider is in."""
        return {
            key: self._card(option._replace(urgent=key in self._urgent))
            for key, option in self._first.items()
        }

    def _card(self, option: Option) -> dict[str, Any]:
        facts, parts, lang = option.facts, self.parts, self.lang
        entry, seen = facts.entry, facts.seen
        shown = access.seen(self.viewer, entry.exact)
        withheld = shown.location_withheld
        distance = seen.distance_km
        card = {
            **parts.card(entry, shown),
            "services": [parts.service(service) for service in seen.services],
            "matched_needs": list(seen.matched_needs),
            "summary": parts.summaries.line(option, shown.provider, withheld, lang),
            "reasons": self._codes(option.reasons),
        }
        warnings = option.own_warnings
        if warnings:
            card["warnings"] = self._codes(warnings)
        # Absent means the default of `ProviderCard`, as for the parts above.
        if distance is not None:
            if withheld:
                card["distance_band"] = distance_band(distance)
            else:
                card["distance_km"] = round(distance, 1)
        if seen.hours.is_open is not None:
            card["open_now"] = seen.hours.is_open
        if seen.hours.next_change_at is not None:
            card["next_change_at"] = seen.hours.next_change_at
        if option.is_safe_entry:
            card["safe_entry_point"] = True
        return card

    def _codes(self, notes: tuple[Note, ...]) -> list[str]:
        # A note's values come from the question, so one code has one sentence per answer.
        worded = self.notes
        for said in notes:
            if said.code not in worded:
                worded[said.code] = self.parts.sentence(said, self.lang)
        return [said.code for said in notes]


def _card(shown: access.Seen) -> ProviderBasics:
    provider = shown.provider
    stated = ProviderProperties.of(provider)
    return ProviderBasics(
        name=provider.name,
        organization_id=provider.organization_id,
        modality=provider.modality,
        location=Location.of(provider),
        location_withheld=shown.location_withheld,
        address=provider.address,
        admin=stated.admin,
        contacts=stated.contacts,
        opening_hours=provider.opening_hours,
        languages=stated.languages,
        accessibility=stated.accessibility,
        last_verified_at=provider.last_verified_at,
        verification=provider.verification,
    )
