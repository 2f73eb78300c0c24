"""One line per option that a caseworker reads aloud or writes down.

Name; what it offers for this case; open now or when it opens; how far (a band for a
confidential address); how to reach it. Built from the same facts as the option's reasons.
"""

from __future__ import annotations

from referral_api.domain.explanations import (
    DISTANCE_BAND_WORDS,
    decimal,
    distance_band,
    local_time,
    need_labels,
)
from referral_api.domain.model import Access, Modality, Provider
from referral_api.domain.ranking.answer import Option

_WORDS: dict[str, tuple[str, str]] = {
    "pep": ("PPE", "PEP"),
    "ec": ("contraception d'urgence", "emergency contraception"),
    "always": ("ouvert 24 h/24", "open 24/7"),
    "open": ("ouvert maintenant", "open now"),
    "open_until": ("ouvert jusqu'à {at}", "open until {at}"),
    "closed": ("fermé, ouvre {at}", "closed, opens {at}"),
    "closed_for_now": ("fermé maintenant", "closed now"),
    "hours_unknown": ("horaires inconnus", "hours unknown"),
    "km": ("à {km} km", "{km} km away"),
    "confidential": ("adresse confidentielle, {band}", "confidential address, {band}"),
    "remote": ("à distance", "remote"),
    "phone": ("tél. {phone}", "tel. {phone}"),
    "walk_in": ("sans rendez-vous", "walk in"),
    "call_first": ("appeler avant", "call first"),
    "referral_form": ("fiche de référencement", "referral form"),
    "case_management_only": ("par un gestionnaire de cas", "through a caseworker"),
}

_ACCESS_WORDS = {
    Access.CALL_FIRST: "call_first",
    Access.REFERRAL_FORM: "referral_form",
    Access.CASE_MANAGEMENT_ONLY: "case_management_only",
}


def _say(key: str, lang: str, **values: str) -> str:
    french, english = _WORDS[key]
    return (english if lang == "en" else french).format(**values)


class SummaryLines:
    """Summary lines, with what depends on the provider and the request's needs alone (its
    name and offer, how to reach it) and on its opening state worded once and kept: an
    answer words a dozen lines, and the same providers come back in answer after answer.

    Owned by a directory snapshot's renderer: services are known by identity, which holds
    while the snapshot lives.
    """

    KEPT = 20_000

    def __init__(self) -> None:
        self._heads: dict[tuple[object, ...], str] = {}
        self._reaches: dict[tuple[object, ...], str] = {}
        self._hours: dict[tuple[object, ...], str] = {}

    def line(self, option: Option, provider: Provider, withheld: bool, lang: str) -> str:
        """The option in one line, in `lang`, as seen by a caller who may (or may not)
        locate it."""
        facts = option.facts
        seen, entry = facts.seen, facts.entry
        head_key = (entry.id_text, seen.matched_needs, facts.urgency, lang)
        head = self._heads.get(head_key)
        if head is None:
            head = self._keep(self._heads, head_key, _head(option, provider, lang))
        reach_key = (entry.id_text, withheld, *map(id, seen.services), lang)
        reach = self._reaches.get(reach_key)
        if reach is None:
            reach = self._keep(self._reaches, reach_key, _reach(option, provider, lang))
        state = seen.hours
        hours_key = (entry.always_open, state.is_open, state.next_change_at, lang)
        hours = self._hours.get(hours_key)
        if hours is None:
            hours = self._keep(self._hours, hours_key, _hours(option, lang))
        where = _where(seen.distance_km, provider, withheld or entry.confidential, lang)
        return " · ".join(part for part in (head, hours, where, reach) if part)

    def _keep(
        self, kept: dict[tuple[object, ...], str], key: tuple[object, ...], words: str
    ) -> str:
        if len(kept) >= self.KEPT:
            kept.clear()
        kept[key] = words
        return words


def summary_line(option: Option, provider: Provider, withheld: bool, lang: str) -> str:
    """The option in one line, in `lang`, as seen by a caller who may (or may not) locate it."""
    return SummaryLines().line(option, provider, withheld, lang)


def _head(option: Option, provider: Provider, lang: str) -> str:
    facts = option.facts
    offers = need_labels(facts.seen.matched_needs, lang, short=True)
    urgent_codes = {effect.note.code for effect in facts.urgency}
    extras = [
        _say(key, lang)
        for key, code in (("pep", "pep_within_72h"), ("ec", "ec_within_120h"))
        if code in urgent_codes
    ]
    if extras:
        offers += f" ({', '.join(extras)})"
    return f"{provider.name} · {offers}"


def _hours(option: Option, lang: str) -> str:
    hours, entry = option.facts.seen.hours, option.facts.entry
    if entry.always_open:
        return _say("always", lang)
    if hours.is_open is None:
        return _say("hours_unknown", lang)
    at = hours.next_change_at
    if hours.is_open:
        return _say("open_until", lang, at=local_time(at, lang)) if at else _say("open", lang)
    return _say("closed", lang, at=local_time(at, lang)) if at else _say("closed_for_now", lang)


def _where(distance: float | None, provider: Provider, confidential: bool, lang: str) -> str:
    if distance is None:
        return _say("remote", lang) if provider.modality is Modality.REMOTE else ""
    if confidential:
        band = DISTANCE_BAND_WORDS[distance_band(distance)][lang == "en"]
        return _say("confidential", lang, band=band)
    return _say("km", lang, km=decimal(distance, lang))


def _reach(option: Option, provider: Provider, lang: str) -> str:
    ways = []
    if provider.contacts.phones:
        ways.append(_say("phone", lang, phone=provider.contacts.phones[0]))
    accesses = {service.access for service in option.facts.seen.services}
    if accesses == {Access.WALK_IN}:
        ways.append(_say("walk_in", lang))
    ways.extend(_say(key, lang) for access, key in _ACCESS_WORDS.items() if access in accesses)
    return ", ".join(ways)
