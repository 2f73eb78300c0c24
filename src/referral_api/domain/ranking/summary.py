"""One line per option that a caseworker reads aloud or writes down.

Name; what it offers for this case; open now or when it opens; how far (a band for a
confidential address); how to reach it. Built from the same facts as the option's reasons.
Each part is worded by a function of its own, from what it depends on alone, so that a
renderer may keep the parts that repeat from answer to answer.
"""

from __future__ import annotations

from referral_api.domain.explanations import (
    DISTANCE_BAND_WORDS,
    decimal,
    distance_band,
    local_time,
    need_labels,
)
from referral_api.domain.hours import OpenState
from referral_api.domain.model import Access, Modality, Provider, Service
from referral_api.domain.ranking.answer import Option
from referral_api.domain.ranking.rules import Effect

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


def summary_line(option: Option, provider: Provider, withheld: bool, lang: str) -> str:
    """The option in one line, in `lang`, as seen by a caller who may (or may not) locate it."""
    facts = option.facts
    seen, entry = facts.seen, facts.entry
    return joined(
        head(provider, seen.matched_needs, urgent_extras(facts.urgency), lang),
        hours(seen.hours, entry.always_open, lang),
        where(seen.distance_km, provider, withheld or entry.confidential, lang),
        reach(provider, seen.services, lang),
    )


def joined(head: str, hours: str, where: str, reach: str) -> str:
    """The parts of a line, those that say something."""
    return " · ".join([part for part in (head, hours, where, reach) if part])


_EXTRAS = (("pep", "pep_within_72h"), ("ec", "ec_within_120h"))


def urgent_extras(urgency: tuple[Effect, ...]) -> tuple[str, ...]:
    """What urgency adds to the offer's words: PEP, emergency contraception (as word keys)."""
    if not urgency:
        return ()
    codes = {effect.note.code for effect in urgency}
    return tuple(key for key, code in _EXTRAS if code in codes)


def head(
    provider: Provider, matched_needs: tuple[str, ...], extras: tuple[str, ...], lang: str
) -> str:
    """The name and what it offers for this case (the line's part that depends on the
    provider and the request's needs alone)."""
    offers = need_labels(matched_needs, lang, short=True)
    if extras:
        offers += f" ({', '.join(_say(key, lang) for key in extras)})"
    return f"{provider.name} · {offers}"


def hours(state: OpenState, always_open: bool, lang: str) -> str:
    """Open now, or when it opens or closes."""
    if always_open:
        return _say("always", lang)
    if state.is_open is None:
        return _say("hours_unknown", lang)
    at = state.next_change_at
    if state.is_open:
        return _say("open_until", lang, at=local_time(at, lang)) if at else _say("open", lang)
    return _say("closed", lang, at=local_time(at, lang)) if at else _say("closed_for_now", lang)


def where(distance: float | None, provider: Provider, confidential: bool, lang: str) -> str:
    """How far, as a band for a confidential address; remote, or nothing, without a distance."""
    if distance is None:
        return _say("remote", lang) if provider.modality is Modality.REMOTE else ""
    if confidential:
        band = DISTANCE_BAND_WORDS[distance_band(distance)][lang == "en"]
        return _say("confidential", lang, band=band)
    return _say("km", lang, km=decimal(distance, lang))


def reach(provider: Provider, services: tuple[Service, ...], lang: str) -> str:
    """How to reach it for these services: its phone, and what access they ask."""
    ways = []
    if provider.contacts.phones:
        ways.append(_say("phone", lang, phone=provider.contacts.phones[0]))
    accesses = {service.access for service in services}
    if accesses == {Access.WALK_IN}:
        ways.append(_say("walk_in", lang))
    ways.extend(_say(key, lang) for access, key in _ACCESS_WORDS.items() if access in accesses)
    return ", ".join(ways)
