"""Why an option ranks where it does: stable codes, with a sentence in French or English.

A note says why a rule fired, so its sentence is the same for every provider of an answer:
its values come from the question and the weights (the languages asked for, the distance
beyond which a place is far), never from one provider. What differs between providers (a
distance, the hours) is in their own fields and their summary line. A note keeps raw values
and words them only when it is read, in the reader's language: French writes "2,3 km" and
names languages by their labels, and so does English in its own way.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, NamedTuple

import pycountry

from referral_api.domain.taxonomy import get_need

# code: (French, English). Codes are a stable contract for client systems; sentences may improve.
SENTENCES: dict[str, tuple[str, str]] = {
    # reasons
    "pep_within_72h": ("PPE possible (dans les 72 heures).", "Gives PEP (within 72 hours)."),
    "ec_within_120h": (
        "Contraception d'urgence possible (dans les 120 heures).",
        "Gives emergency contraception (within 120 hours).",
    ),
    "urgent_round_the_clock": ("Soins urgents à toute heure.", "Urgent care at any hour."),
    "open_24_7": ("Ouvert 24 h/24, 7 j/7.", "Open 24 hours, 7 days a week."),
    "open_now": ("Ouvert maintenant.", "Open now."),
    "opens_soon": ("Ouvre dans moins de {minutes} min.", "Opens within {minutes} minutes."),
    "near": ("À moins de {distance} km.", "Within {distance} km."),
    "within_band": (
        "Adresse confidentielle : distance donnée par tranche.",
        "Confidential address: distance given as a band.",
    ),
    "remote": ("Joignable à distance.", "Reachable remotely."),
    "covers_area": ("Intervient dans cette zone.", "Serves this area."),
    "speaks_language": (
        "Parle une langue demandée ({languages}).",
        "Speaks a language asked for ({languages}).",
    ),
    "accessible": ("Accessible : {features}.", "Accessible: {features}."),
    "free_of_charge": ("Gratuit.", "Free of charge."),
    "recently_verified": (
        "Vérifié dans les {days} derniers jours.",
        "Verified in the last {days} days.",
    ),
    "one_stop": ("Plusieurs besoins sur place.", "Several needs in one place."),
    "child_friendly": ("Adapté aux enfants.", "Child-friendly."),
    # warnings
    "no_pep_here": (
        "Pas de PPE ici : orienter aussi vers une structure qui la donne.",
        "No PEP here: also refer to a place that gives it.",
    ),
    "no_ec_here": (
        "Pas de contraception d'urgence ici : orienter aussi vers une structure qui la donne.",
        "No emergency contraception here: also refer to a place that gives it.",
    ),
    "stale_entry": (
        "Non vérifié depuis plus de {days} jours : confirmer avant d'orienter.",
        "Not verified for over {days} days: confirm before referring.",
    ),
    "never_verified": (
        "Jamais vérifié : confirmer avant d'orienter.",
        "Never verified: confirm before referring.",
    ),
    "closes_soon": ("Ferme dans moins de {minutes} min.", "Closes within {minutes} minutes."),
    "closed_now": ("Fermé à cette heure.", "Closed at this time."),
    "hours_unknown": ("Horaires inconnus : appeler avant.", "Opening hours unknown: call first."),
    "call_first": ("Appeler avant de venir.", "Call before going."),
    "referral_form": ("Fiche de référencement requise.", "A referral form is required."),
    "case_management_only": (
        "Accès par un gestionnaire de cas uniquement.",
        "Access only through a caseworker.",
    ),
    "far_away": ("À plus de {distance} km.", "Over {distance} km away."),
    "fee": (
        "Pas gratuit pour tout ce qui est demandé : voir le coût de ses services.",
        "Not free for all that is asked: see the cost of its services.",
    ),
    "police_if_wished": (
        "Police : seulement si la survivante le souhaite.",
        "Police: only if the survivor wishes.",
    ),
    "outside_service_area": (
        "Hors de sa zone d'intervention déclarée : seul point d'entrée trouvé.",
        "Outside its declared area: the only entry point found.",
    ),
    "not_for_sex": (
        "Réservé à d'autres personnes (sexe) : seul point d'entrée trouvé, l'appeler d'abord.",
        "Meant for other people (sex): the only entry point found, call it first.",
    ),
    "not_for_age": (
        "Réservé à d'autres personnes (âge) : seul point d'entrée trouvé, l'appeler d'abord.",
        "Meant for other people (age): the only entry point found, call it first.",
    ),
    "beyond_asked_distance": (
        "Au-delà des {limit} km demandés : seul point d'entrée trouvé.",
        "Beyond the {limit} km asked for: the only entry point found.",
    ),
}


def decimal(value: float, lang: str) -> str:
    """A number as `lang` writes it, to one decimal at most: "2,3" in French, "2.3" in English."""
    value = round(value, 1)
    text = f"{value:.1f}" if value % 1 else f"{value:.0f}"
    return text if lang == "en" else text.replace(".", ",")


_WEEKDAYS = {
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def local_time(moment: datetime, lang: str) -> str:
    """A moment in its own time zone as a caseworker says it: weekday and hour."""
    day = _WEEKDAYS["en" if lang == "en" else "fr"][moment.weekday()]
    hour, minute = moment.hour, moment.minute  # strftime costs ten times as much
    return f"{day} {hour:02d}:{minute:02d}" if lang == "en" else f"{day} {hour:02d} h {minute:02d}"


def need_labels(codes: Iterable[str], lang: str, *, short: bool = False) -> str:
    """Need codes by their labels (`short` ones for a line), lower case after the first,
    joined by commas (labels hold "and" of their own)."""
    labels: list[str] = []
    for code in codes:
        need = get_need(code)
        label = (need.short_label(lang) if short else need.label(lang)) if need else code
        labels.append(label if not labels else label[:1].lower() + label[1:])
    return ", ".join(labels)


_FRENCH_LANGUAGES = gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["fr"])


def language_name(code: str, lang: str) -> str:
    """The name of a language (ISO 639 code) in `lang`: "sango", "français"; the code if unknown."""
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    found = found or pycountry.languages.get(alpha_3=code)
    if found is None:
        return code
    name: str = found.name.split(" (")[0]
    return name if lang == "en" else _FRENCH_LANGUAGES.gettext(name).split(" (")[0].lower()


ACCESSIBILITY_LABELS: dict[str, tuple[str, str]] = {
    "wheelchair": ("fauteuil roulant", "wheelchair"),
    "sign_language": ("langue des signes", "sign language"),
    "braille": ("braille", "braille"),
    "hearing_loop": ("boucle auditive", "hearing loop"),
    "easy_read": ("facile à lire", "easy read"),
}


def feature_label(code: str, lang: str) -> str:
    """An accessibility feature in words."""
    french, english = ACCESSIBILITY_LABELS.get(code, (code, code))
    return english if lang == "en" else french


def _joined(words: list[str], lang: str, *, either: bool = False) -> str:
    if len(words) <= 1:
        return "".join(words)
    if either:
        last = " or " if lang == "en" else " ou "
    else:
        last = " and " if lang == "en" else " et "
    return ", ".join(words[:-1]) + last + words[-1]


# How each kind of value reads in a sentence, by the name it has in the templates.
_WORDING: dict[str, Callable[[Any, str], str]] = {
    "distance": decimal,
    "limit": decimal,
    "minutes": lambda minutes, _lang: str(minutes),
    "days": lambda days, _lang: str(days),
    # Any one of the survivor's languages will do; every access feature is needed.
    "languages": lambda codes, lang: _joined(
        [language_name(c, lang) for c in codes], lang, either=True
    ),
    "features": lambda codes, lang: _joined([feature_label(c, lang) for c in codes], lang),
}


# Distance bands of confidential providers: the code, as the API gives it, then in words.
DISTANCE_BANDS = ((2.0, "under 2 km"), (5.0, "2-5 km"), (10.0, "5-10 km"), (25.0, "10-25 km"))
DISTANCE_BAND_WORDS: dict[str, tuple[str, str]] = {
    "under 2 km": ("moins de 2 km", "under 2 km"),
    "2-5 km": ("2 à 5 km", "2 to 5 km"),
    "5-10 km": ("5 à 10 km", "5 to 10 km"),
    "10-25 km": ("10 à 25 km", "10 to 25 km"),
    "over 25 km": ("plus de 25 km", "over 25 km"),
}


def distance_band(distance: float) -> str:
    """A coarse band for a distance that must not be given exactly."""
    for limit, label in DISTANCE_BANDS:
        if distance < limit:
            return label
    return "over 25 km"


class Note(NamedTuple):
    """A reason or a warning: a stable code and the raw values its sentence needs, which
    are the same for every provider of one answer."""

    code: str
    values: tuple[tuple[str, Any], ...] = ()

    def message(self, lang: str) -> str:
        """The sentence in `lang` (French unless English is asked for)."""
        french, english = SENTENCES[self.code]
        template = english if lang == "en" else french
        return template.format(**{name: _WORDING[name](v, lang) for name, v in self.values})


# Notes are built for every option of every answer: the plain ones are made once.
_PLAIN = {code: Note(code) for code in SENTENCES}


def note(code: str, **values: Any) -> Note:
    """A note with its values."""
    if not values:
        return _PLAIN[code]
    return Note(code, tuple(values.items()))
