"""The search answer as JSON data, rendered for one caller in the shape of `SearchResponse`.

Providers come back in answer after answer, so what depends on the provider alone is
rendered once per directory snapshot, and so is a card's stem: the provider as the caller
may see it, with the services and needs it matched and the words of its summary line that
follow from them, per language. What depends on the query's place and moment (distance,
hours, notes) is added per answer, from words kept by what they depend on. Options name
their reasons and warnings by code, and the answer words each code once, in `notes`. What
a caller may see of a confidential provider is decided by `access.seen`, whose verdict
(`Viewer.may_locate`) is part of the key of every stem, and the distance to a withheld
one is given as a band.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from referral_api.api.search_schemas import ProviderBasics
from referral_api.documents import Location, ProviderProperties, ServiceDocument
from referral_api.domain import access
from referral_api.domain.access import Viewer
from referral_api.domain.directory import Entry
from referral_api.domain.explanations import Note, distance_band
from referral_api.domain.hours import OpenState
from referral_api.domain.model import Provider, Service
from referral_api.domain.ranking import Option, summary
from referral_api.domain.ranking.rules import Seen

NOTES_KEPT = 10_000
STEMS_KEPT = 20_000
HOURS_KEPT = 4096
DISTANCES_KEPT = 4096

# Groups of notes as their codes, and each code with its sentence, in the order of the notes.
Coded = tuple[tuple[list[str], ...], tuple[tuple[str, str], ...]]


class _Stem(NamedTuple):
    """What a card says that depends on the provider as shown, the services and needs it
    matched and the language alone: all of it but the distance, hours, notes and urgency."""

    provider: Provider  # as shown
    services: tuple[Service, ...]  # the matched services it was built for
    documents: list[dict[str, Any]]  # theirs
    card: dict[str, Any]  # the provider's own part of the card
    matched: list[str]
    reach: str
    heads: dict[tuple[str, ...], str]  # by what urgency adds to the offer


class RenderedParts:
    """Response parts that depend on the provider alone, built once per directory snapshot.

    Providers come back in answer after answer; their cards and service documents are
    validated and dumped the first time and reused until the snapshot changes, and so are
    the words of their summary lines that do not depend on the query's place and moment.
    Notes repeat too: each (note, language) is worded once.
    """

    def __init__(self) -> None:
        self._snapshot: object = None
        self._cards: dict[tuple[str, bool], dict[str, Any]] = {}
        self._services: dict[int, tuple[Service, dict[str, Any]]] = {}
        self._stems: dict[str, dict[tuple[str, bool, tuple[str, ...]], _Stem]] = {}
        self._hours: dict[tuple[bool, bool | None, datetime | None, str], str] = {}
        self._distances: dict[tuple[float, str], str] = {}
        self._notes: dict[str, dict[Note, str]] = {}
        self._coded: dict[str, dict[tuple[tuple[Note, ...], ...], Coded]] = {}

    def for_snapshot(self, snapshot: object) -> RenderedParts:
        """Forget everything when the snapshot changed."""
        if snapshot is not self._snapshot:
            self._snapshot = snapshot
            self._cards = {}
            self._services = {}
            self._stems = {}
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

    def stems(self, lang: str) -> dict[tuple[str, bool, tuple[str, ...]], _Stem]:
        """The stems of cards in `lang`, by provider id, location withheld, matched needs."""
        found = self._stems.get(lang)
        if found is None or len(found) >= STEMS_KEPT:
            found = self._stems[lang] = {}
        return found

    def stem(self, viewer: Viewer, seen: Seen, lang: str) -> _Stem:
        """The stem of the card of `seen` as `viewer` is shown it, kept in `stems(lang)`."""
        entry, services = seen.entry, seen.services
        shown = access.seen(viewer, entry.exact)
        stem = _Stem(
            provider=shown.provider,
            services=services,
            documents=[self.service(service) for service in services],
            card=self.card(entry, shown),
            matched=list(seen.matched_needs),
            reach=summary.reach(shown.provider, services, lang),
            heads={},
        )
        self.stems(lang)[entry.id_text, shown.location_withheld, seen.matched_needs] = stem
        return stem

    def hours(self, state: OpenState, always_open: bool, lang: str) -> str:
        """Open now, or when it opens or closes, in words: states repeat across providers."""
        key = (always_open, state.is_open, state.next_change_at, lang)
        found = self._hours.get(key)
        if found is None:
            if len(self._hours) >= HOURS_KEPT:
                self._hours.clear()
            found = self._hours[key] = summary.hours(state, always_open, lang)
        return found

    def codes(self, groups: tuple[tuple[Note, ...], ...], lang: str) -> Coded:
        """The codes of each group of notes (an option's reasons and warnings, say), and
        each code with its sentence in `lang`, kept in `coded(lang)`."""
        found = self.coded(lang)[groups] = (
            tuple([said.code for said in notes] for notes in groups),
            tuple((said.code, self.sentence(said, lang)) for notes in groups for said in notes),
        )
        return found

    def coded(self, lang: str) -> dict[tuple[tuple[Note, ...], ...], Coded]:
        """Groups of notes already coded in `lang`: cards of an answer, and of answer after
        answer, repeat the same notes."""
        cache = self._coded.get(lang)
        if cache is None or len(cache) >= NOTES_KEPT:
            cache = self._coded[lang] = {}
        return cache

    def sentence(self, said: Note, lang: str) -> str:
        """The note in `lang`."""
        cache = self._notes.get(lang)
        if cache is None or len(cache) >= NOTES_KEPT:  # the languages asked for make many
            cache = self._notes[lang] = {}
        message = cache.get(said)
        if message is None:
            message = cache[said] = said.message(lang)
        return message

    def where(
        self, distance: float | None, provider: Provider, confidential: bool, lang: str
    ) -> str:
        """How far, in words: a distance in km says its tenth alone, and few tenths recur."""
        if distance is None or confidential:
            return summary.where(distance, provider, confidential, lang)
        key = (round(distance, 1), lang)
        found = self._distances.get(key)
        if found is None:
            if len(self._distances) >= DISTANCES_KEPT:
                self._distances.clear()
            found = self._distances[key] = summary.where(key[0], provider, False, lang)
        return found


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
        self._stems = parts.stems(lang)
        self._coded = parts.coded(lang)

    def __call__(self, options: Iterable[Option]) -> list[dict[str, Any]]:
        """The options of a list, in order (a list's order is its ranking)."""
        out = []
        first_of = self._first
        for option in options:
            facts = option.facts
            seen = facts.seen
            key = seen.entry.id_text
            first = first_of.setdefault(key, option)
            ranked: dict[str, Any] = {"provider_id": key, "score": round(option.score, 3)}
            if option.urgent:
                ranked["tier"] = facts.tier
                self._urgent.add(key)
            matched = seen.matched_needs
            if matched != first.facts.seen.matched_needs:
                # Listed here for other needs than on its card (an entry point, say): the
                # services that answer them come along.
                ranked["matched_needs"] = list(matched)
                ranked["services"] = [self.parts.service(s) for s in seen.services]
            if option.list_warnings:
                ranked["warnings"] = self._codes((option.list_warnings,))[0]
            out.append(ranked)
        return out

    def cards(self) -> dict[str, dict[str, Any]]:
        """Every provider the lists refer to, once, after the lists are rendered: urgency
        speaks on a card when it ordered any list the provider is in."""
        urgent = self._urgent
        return {key: self._card(option, key in urgent) for key, option in self._first.items()}

    def _card(self, option: Option, urgent: bool) -> dict[str, Any]:
        if option.urgent is not urgent:
            option = option._replace(urgent=urgent)
        facts, parts, lang = option.facts, self.parts, self.lang
        seen = facts.seen
        entry = seen.entry
        # Whether `access.seen` withholds it from this caller, which the stem was built by.
        withheld = not self.viewer.may_locate(entry.exact)
        stem = self._stems.get((entry.id_text, withheld, seen.matched_needs))
        if stem is None or stem.services != seen.services:
            stem = parts.stem(self.viewer, seen, lang)
        extras = summary.urgent_extras(facts.urgency)
        head = stem.heads.get(extras)
        if head is None:
            head = summary.head(stem.provider, seen.matched_needs, extras, lang)
            stem.heads[extras] = head
        distance = seen.distance_km
        state = seen.hours
        reasons, warnings = self._codes(option.notes())
        line = summary.joined(
            head,
            parts.hours(state, entry.always_open, lang),
            parts.where(distance, stem.provider, withheld or entry.confidential, lang),
            stem.reach,
        )
        card = {
            **stem.card,
            "services": stem.documents,
            "matched_needs": stem.matched,
            "summary": line,
            "reasons": reasons,
        }
        if warnings:
            card["warnings"] = warnings
        # Absent means the default of `ProviderCard`, as for the parts above.
        if distance is not None:
            if withheld:
                card["distance_band"] = distance_band(distance)
            else:
                card["distance_km"] = round(distance, 1)
        if state.is_open is not None:
            card["open_now"] = state.is_open
        if state.next_change_at is not None:
            card["next_change_at"] = state.next_change_at
        if option.is_safe_entry:
            card["safe_entry_point"] = True
        return card

    def _codes(self, groups: tuple[tuple[Note, ...], ...]) -> tuple[list[str], ...]:
        # A note's values come from the question, so one code has one sentence per answer.
        found = self._coded.get(groups)
        if found is None:
            found = self.parts.codes(groups, self.lang)
        codes, sentences = found
        worded = self.notes
        for code, sentence in sentences:
            if code not in worded:
                worded[code] = sentence
        return codes


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
