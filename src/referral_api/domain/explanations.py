"""Why an option ranks where it does: stable codes, with a sentence in French or English."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

LANGUAGES = ("fr", "en")

# code: (French, English). Codes are a stable contract for client systems; sentences may improve.
SENTENCES: dict[str, tuple[str, str]] = {
    # reasons
    "offers_need": ("Propose : {needs}.", "Offers: {needs}."),
    "pep_within_72h": (
        "Peut donner la PPE, efficace si elle commence dans les 72 heures.",
        "Can give PEP, which works if started within 72 hours.",
    ),
    "ec_within_120h": (
        "Peut donner la contraception d'urgence, efficace dans les 120 heures.",
        "Can give emergency contraception, effective within 120 hours.",
    ),
    "open_24_7": ("Ouvert 24 h/24, 7 j/7.", "Open 24 hours, 7 days a week."),
    "open_now": ("Ouvert maintenant.", "Open now."),
    "opens_soon": ("Ouvre bientôt ({at}).", "Opens soon ({at})."),
    "near": ("À {distance} km.", "{distance} km away."),
    "remote": ("Joignable à distance (téléphone).", "Reachable remotely (phone)."),
    "covers_area": ("Intervient dans cette zone.", "Serves this area."),
    "speaks_language": ("Parle : {languages}.", "Speaks: {languages}."),
    "accessible": ("Accessible : {features}.", "Accessible: {features}."),
    "free_of_charge": ("Gratuit.", "Free of charge."),
    "recently_verified": (
        "Informations vérifiées il y a {days} jours.",
        "Information verified {days} days ago.",
    ),
    "one_stop": (
        "Répond à plusieurs besoins au même endroit.",
        "Answers several needs in one place.",
    ),
    "child_friendly": ("Adapté aux enfants.", "Child-friendly."),
    "safe_entry_point": (
        "Point d'entrée sûr : gestion de cas ou ligne d'écoute.",
        "Safe entry point: case management or a hotline.",
    ),
    # warnings
    "stale_entry": (
        "Informations non vérifiées depuis {days} jours : confirmer avant d'orienter.",
        "Not verified for {days} days: confirm before referring.",
    ),
    "never_verified": (
        "Informations jamais vérifiées : confirmer avant d'orienter.",
        "Never verified: confirm before referring.",
    ),
    "closes_soon": ("Ferme bientôt ({at}).", "Closes soon ({at})."),
    "closed_now": ("Fermé maintenant ; rouvre {at}.", "Closed now; reopens {at}."),
    "hours_unknown": ("Horaires inconnus : appeler avant.", "Opening hours unknown: call first."),
    "call_first": ("Appeler avant de venir.", "Call before going."),
    "referral_form": ("Fiche de référencement requise.", "A referral form is required."),
    "case_management_only": (
        "Accès uniquement par un gestionnaire de cas.",
        "Access only through a caseworker.",
    ),
    "far_away": ("Éloigné ({distance} km).", "Far away ({distance} km)."),
    "fee": ("Service payant.", "There is a fee."),
    "outside_service_area": (
        "Hors de sa zone d'intervention déclarée : seul point d'entrée trouvé.",
        "Outside its declared area: the only entry point found.",
    ),
    "no_pep_here": (
        "Ne peut pas donner la PPE : orienter aussi vers une structure qui le peut.",
        "Cannot give PEP: also refer to a place that can.",
    ),
}


class Note(NamedTuple):
    """A reason or a warning: a stable code and the values its sentence needs."""

    code: str
    values: tuple[tuple[str, Any], ...] = ()

    def message(self, lang: str) -> str:
        """The sentence in `lang` (French unless English is asked for)."""
        return _sentence(self, lang)


@lru_cache(maxsize=8192)
def _sentence(note: Note, lang: str) -> str:
    # Answers repeat the same few notes over and over: format each one once.
    french, english = SENTENCES[note.code]
    template = english if lang == "en" else french
    return template.format(**dict(note.values))


# Notes are built for every option of every answer: the plain ones are made once.
_PLAIN = {code: Note(code) for code in SENTENCES}


def note(code: str, **values: Any) -> Note:
    """A note with its values."""
    if not values:
        return _PLAIN[code]
    return Note(code, tuple(values.items()))
