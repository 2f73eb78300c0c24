"""The controlled vocabulary of needs that providers offer and survivors ask for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

TAXONOMY_VERSION = "2026-11"


@dataclass(frozen=True, slots=True)
class Need:
    """One taxonomy term; a sector's code has no dot, a sub-code is `sector.detail`."""

    code: str
    label_fr: str
    label_en: str
    hsds_term: str
    gbv_aor_sector: str
    # For a one-line summary, where the full label of a sector is too long to read aloud.
    short_fr: str = ""
    short_en: str = ""

    @property
    def sector(self) -> str:
        """The sector code this term belongs to (itself for a sector)."""
        return self.code.split(".", 1)[0]

    @property
    def is_sector(self) -> bool:
        """Whether this term is a top-level sector."""
        return "." not in self.code

    def label(self, lang: str) -> str:
        """The label in `lang` (fr or en), French otherwise: it is the working language."""
        return self.label_en if lang == "en" else self.label_fr

    def short_label(self, lang: str) -> str:
        """The short label in `lang`, or the label where it is short already."""
        short = self.short_en if lang == "en" else self.short_fr
        return short or self.label(lang)


NEEDS: tuple[Need, ...] = (
    Need(
        "case_management",
        "Gestion de cas VBG",
        "GBV case management",
        "case-management",
        "case_management",
    ),
    Need(
        "medical", "Prise en charge médicale", "Medical care", "health", "health", "Soins médicaux"
    ),
    Need(
        "medical.cmr",
        "Prise en charge clinique du viol",
        "Clinical management of rape",
        "clinical-management-of-rape",
        "health",
    ),
    Need(
        "medical.pep",
        "Prophylaxie post-exposition (PPE) au VIH",
        "HIV post-exposure prophylaxis (PEP)",
        "post-exposure-prophylaxis",
        "health",
    ),
    Need(
        "medical.ec",
        "Contraception d'urgence",
        "Emergency contraception",
        "emergency-contraception",
        "health",
    ),
    Need(
        "medical.sti",
        "Prévention et traitement des IST",
        "STI prevention and treatment",
        "sexually-transmitted-infections",
        "health",
    ),
    Need(
        "medical.general",
        "Soins médicaux généraux",
        "General medical care",
        "general-medical-care",
        "health",
    ),
    Need(
        "psychosocial",
        "Soutien psychosocial et santé mentale",
        "Psychosocial support and mental health",
        "mental-health",
        "psychosocial",
        "Soutien psychosocial",
        "Psychosocial support",
    ),
    Need(
        "psychosocial.pss",
        "Soutien psychosocial",
        "Psychosocial support",
        "psychosocial-support",
        "psychosocial",
    ),
    Need(
        "psychosocial.mental_health",
        "Soins de santé mentale",
        "Mental health care",
        "mental-health-care",
        "psychosocial",
    ),
    Need(
        "legal",
        "Assistance juridique et judiciaire",
        "Legal and justice assistance",
        "legal",
        "legal_justice",
        "Aide juridique et judiciaire",
        "Legal help",
    ),
    Need("legal.aid", "Aide juridique", "Legal aid", "legal-aid", "legal_justice"),
    Need("legal.police", "Police et sécurité publique", "Police", "police", "legal_justice"),
    Need("legal.justice", "Justice (tribunaux)", "Justice (courts)", "courts", "legal_justice"),
    Need(
        "safety",
        "Sécurité et protection",
        "Safety and protection",
        "safety",
        "safety_security",
        "Sécurité",
        "Safety",
    ),
    Need(
        "safety.shelter", "Hébergement sécurisé", "Safe shelter", "safe-shelter", "safety_security"
    ),
    Need(
        "safety.security", "Sécurité physique", "Physical security", "security", "safety_security"
    ),
    Need(
        "economic",
        "Autonomisation économique",
        "Economic empowerment",
        "economic-empowerment",
        "livelihoods",
    ),
)

_BY_CODE = {need.code: need for need in NEEDS}


def get_need(code: str) -> Need | None:
    """The taxonomy term for `code`, or None when it is not in the taxonomy."""
    return _BY_CODE.get(code)


def unknown_codes(codes: list[str] | tuple[str, ...] | frozenset[str]) -> list[str]:
    """The codes of `codes` that the taxonomy does not know, in their given order."""
    return [code for code in codes if code not in _BY_CODE]


def matches(requested: str, offered: str) -> bool:
    """Whether an offered need code answers a requested one (a sector matches its children).

    A provider declares the most precise code it can; a sector code on a provider means
    "this sector, unspecified" and answers only a request for the whole sector.
    """
    if requested == offered:
        return True
    return "." not in requested and offered.startswith(requested + ".")


@lru_cache(maxsize=256)
def expand(requested: str) -> frozenset[str]:
    """Every taxonomy code that answers a request for `requested`."""
    return frozenset(code for code in _BY_CODE if matches(requested, code)) | {requested}


# One bit per code: the directory tests "offers any of these needs" for every nearby
# provider at once, as one array operation.
_BITS = {need.code: 1 << position for position, need in enumerate(NEEDS)}


def need_bits(codes: Iterable[str]) -> int:
    """The codes as a set of bits; a code outside the taxonomy has none, as no request
    can name it.
    """
    bits = 0
    for code in codes:
        bits |= _BITS.get(code, 0)
    return bits
