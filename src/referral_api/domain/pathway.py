"""The printable referral pathway of an area: what it says, in which order, in fr or en.

Pure: from a search for the area over every block's needs, it decides the rows of each
block and their text; `interop/pathway_pdf.py` only lays them out. Caseworkers read a
pathway in a fixed order: the ways in first (case management, hotlines), then health
(urgent within 72 h and 120 h), psychosocial support, legal aid, safety, and the police
last, marked as the survivor's choice. A confidential provider (a safe house) shows only
its front door: the search sees it through its public projection, and its row says its
address is given through case management.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from referral_api.domain import taxonomy
from referral_api.domain.model import Access, AdminArea, Cost, Modality, Provider, Service, Sex
from referral_api.domain.ranking import Option, SearchResult

LANGUAGES = ("fr", "en")


@dataclass(frozen=True, slots=True)
class BlockSpec:
    """One block of the sheet: the needs it lists, its heading and note, by language."""

    key: str
    needs: tuple[str, ...]
    heading: dict[str, str]
    note: dict[str, str]


ENTRY_POINTS = BlockSpec(
    "entry_points",
    ("case_management",),
    {
        "fr": "Points d'entrée : gestion de cas et lignes d'écoute",
        "en": "Entry points: case management and hotlines",
    },
    {
        "fr": "Commencez ici → la gestion de cas accompagne la survivante vers tous les "
        "autres services.",
        "en": "Start here → case management accompanies the survivor to every other service.",
    },
)
BLOCKS = (
    ENTRY_POINTS,
    BlockSpec(
        "health",
        ("medical",),
        {"fr": "Santé", "en": "Health"},
        {
            "fr": "Prise en charge clinique du viol. URGENT : PPE (VIH) ≤ 72 h, "
            "contraception d'urgence ≤ 120 h après l'incident.",
            "en": "Clinical management of rape. URGENT: PEP (HIV) ≤ 72 h, "
            "emergency contraception ≤ 120 h after the incident.",
        },
    ),
    BlockSpec(
        "psychosocial",
        ("psychosocial",),
        {"fr": "Soutien psychosocial", "en": "Psychosocial support"},
        {"fr": "Écoute, soutien et santé mentale.", "en": "Listening, support, mental health."},
    ),
    BlockSpec(
        "legal",
        ("legal.aid", "legal.justice"),
        {"fr": "Aide juridique", "en": "Legal aid"},
        {
            "fr": "Conseil, accompagnement et justice, si la survivante le souhaite.",
            "en": "Advice, accompaniment and justice, if the survivor wishes.",
        },
    ),
    BlockSpec(
        "safety",
        ("safety",),
        {"fr": "Sécurité et hébergement", "en": "Safety and shelter"},
        {
            "fr": "Hébergement sécurisé et protection ; adresses confidentielles données par "
            "la gestion de cas.",
            "en": "Safe shelter and protection; confidential addresses are given through "
            "case management.",
        },
    ),
    BlockSpec(
        "police",
        ("legal.police",),
        {"fr": "Police et gendarmerie", "en": "Police and gendarmerie"},
        {
            "fr": "Uniquement si la survivante le souhaite.",
            "en": "Only if the survivor wishes.",
        },
    ),
)
# What the pathway asks the search for, each block's needs once, in the caseworker's order.
PATHWAY_NEEDS = tuple(dict.fromkeys(need for block in BLOCKS for need in block.needs))
# A sheet pinned on a wall is read at a glance: the best few of each block, not all. The
# search looks deeper, so that every hotline among the entry points is found.
ROWS_PER_BLOCK = 4
SEARCH_DEPTH = 12

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Circuit de référencement VBG",
        "pcode": "P-code",
        "cod": "COD-AB version",
        "printed": "Imprimé le",
        "revision": "révision de l'annuaire",
        "provider": "Structure",
        "where": "Où",
        "hours": "Jours et heures",
        "contact": "Téléphone, point focal",
        "terms": "Coût, éligibilité",
        "access": "Langues, accès",
        "confidential": "Adresse confidentielle, via la gestion de cas",
        "remote": "Par téléphone",
        "mobile": "Équipe mobile",
        "none": "Aucun service répertorié pour cette zone : appelez la gestion de cas.",
        "no_phone": "pas de téléphone",
        "everyone": "Tout public",
        "steps": "Étapes à suivre",
        "verified": "vérifié le",
        "verified_span": "Entrées vérifiées entre le {first} et le {last}.",
        "sample": "exemple illustratif",
        "source": "Source",
        "always": "24 h/24, 7 j/7",
        "unknown_hours": "horaires à confirmer",
        "closed": "fermé temporairement",
    },
    "en": {
        "title": "GBV referral pathway",
        "pcode": "P-code",
        "cod": "COD-AB version",
        "printed": "Printed",
        "revision": "directory revision",
        "provider": "Provider",
        "where": "Where",
        "hours": "Days and hours",
        "contact": "Phone, focal point",
        "terms": "Cost, eligibility",
        "access": "Languages, access",
        "confidential": "Confidential address, through case management",
        "remote": "By phone",
        "mobile": "Mobile team",
        "none": "No service listed for this area: call case management.",
        "no_phone": "no phone",
        "everyone": "Everyone",
        "steps": "Guiding steps",
        "verified": "verified",
        "verified_span": "Entries verified between {first} and {last}.",
        "sample": "illustrative sample",
        "source": "Source",
        "always": "24/7",
        "unknown_hours": "hours to be confirmed",
        "closed": "temporarily closed",
    },
}

STEPS: dict[str, tuple[str, ...]] = {
    "fr": (
        "Sécurité d'abord : la survivante est-elle en sécurité maintenant ? Sinon, "
        "contactez la gestion de cas ou un service de sécurité.",
        "Soins urgents : PPE (VIH) dans les 72 h, contraception d'urgence dans les 120 h "
        "après l'incident. Orientez vers la santé sans attendre.",
        "Consentement : expliquez les options et obtenez le consentement éclairé avant "
        "toute référence.",
        "Partagez seulement ce qui est nécessaire, avec l'accord de la survivante.",
        "Aucune plainte ni rapport de police n'est exigé pour recevoir des soins.",
    ),
    "en": (
        "Safety first: is the survivor safe now? If not, contact case management or a "
        "safety service.",
        "Urgent care: PEP (HIV) within 72 h, emergency contraception within 120 h of the "
        "incident. Refer to health without delay.",
        "Consent: explain the options and obtain informed consent before any referral.",
        "Share only what is needed, with the survivor's agreement.",
        "No police report is required to receive care.",
    ),
}

_COST = {
    "fr": {Cost.FREE: "Gratuit", Cost.FEE: "Payant"},
    "en": {Cost.FREE: "Free", Cost.FEE: "Fee"},
}
_ACCESS = {
    "fr": {
        Access.WALK_IN: "sans rendez-vous",
        Access.CALL_FIRST: "appeler avant",
        Access.REFERRAL_FORM: "fiche de référence",
        Access.CASE_MANAGEMENT_ONLY: "via la gestion de cas",
    },
    "en": {
        Access.WALK_IN: "walk in",
        Access.CALL_FIRST: "call first",
        Access.REFERRAL_FORM: "referral form",
        Access.CASE_MANAGEMENT_ONLY: "through case management only",
    },
}
_SEXES = {
    "fr": {
        Sex.FEMALE: "femmes et filles",
        Sex.MALE: "hommes et garçons",
        Sex.INTERSEX: "intersexes",
    },
    "en": {Sex.FEMALE: "women and girls", Sex.MALE: "men and boys", Sex.INTERSEX: "intersex"},
}
_LANGUAGE_NAMES = {
    "fr": {"fr": "français", "sg": "sango", "en": "anglais", "ar": "arabe", "ln": "lingala"},
    "en": {"fr": "French", "sg": "Sango", "en": "English", "ar": "Arabic", "ln": "Lingala"},
}
_DAYS = {
    "fr": {"Mo": "Lu", "Tu": "Ma", "We": "Me", "Th": "Je", "Fr": "Ve", "Sa": "Sa", "Su": "Di"},
    "en": {
        "Mo": "Mon",
        "Tu": "Tue",
        "We": "Wed",
        "Th": "Thu",
        "Fr": "Fri",
        "Sa": "Sat",
        "Su": "Sun",
    },
}
_DAY = re.compile(r"\b(Mo|Tu|We|Th|Fr|Sa|Su)\b")


@dataclass(frozen=True, slots=True)
class Row:
    """One provider in one block, as printed."""

    provider: str
    services: str
    where: str
    hours: str
    phones: str
    has_phone: bool
    focal_point: str
    cost: str
    eligibility: str
    languages: str
    access: str
    verified: str
    confidential: bool
    sample: bool


@dataclass(frozen=True, slots=True)
class Block:
    """A heading, its note and its rows."""

    key: str
    heading: str
    note: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Sheet:
    """Everything a printed pathway says, in one language."""

    lang: str
    pcode: str
    title: str
    area_line: str
    printed_line: str
    blocks: tuple[Block, ...]
    steps_heading: str
    steps: tuple[str, ...]
    labels: dict[str, str]
    footer: tuple[str, ...]


def hours_text(opening_hours: str | None, lang: str) -> str:
    """OpenStreetMap opening hours as a reader of `lang` reads them."""
    if not opening_hours:
        return TEXT[lang]["unknown_hours"]
    if opening_hours.strip() == "24/7":
        return TEXT[lang]["always"]
    days = _DAYS[lang]
    return _DAY.sub(lambda match: days[match.group(1)], opening_hours).replace("; ", ", ")


def _label(code: str, lang: str) -> str:
    need = taxonomy.get_need(code)
    return need.label(lang) if need is not None else code


def cost_text(services: Sequence[Service], lang: str) -> str:
    """Free, fee, or free but for the services named.

    A fee for general care must not put a survivor off care after rape that is free.
    """
    paid = [service for service in services if service.cost is Cost.FEE]
    free, fee = _COST[lang][Cost.FREE], _COST[lang][Cost.FEE]
    if not paid:
        return free
    if len(paid) == len(services):
        return fee
    colon = " :" if lang == "fr" else ":"
    names = ", ".join(_label(service.need, lang) for service in paid)
    return f"{free}; {fee.lower()}{colon} {names}"


def eligibility_text(services: Sequence[Service], lang: str) -> str:
    """Who the services are for; the first service's terms stand for the row."""
    eligibility = services[0].eligibility
    parts = [_SEXES[lang][sex] for sex in eligibility.sexes]
    low, high = eligibility.min_age, eligibility.max_age
    if low is not None or high is not None:
        years = "ans" if lang == "fr" else "years"
        parts.append(f"{low or 0}–{high} {years}" if high is not None else f"{low}+ {years}")
    if eligibility.child_friendly:
        parts.append("adapté aux enfants" if lang == "fr" else "child-friendly")
    parts += list(eligibility.population_groups)
    return ", ".join(parts) or TEXT[lang]["everyone"]


def _where(provider: Provider, lang: str, area_name: Callable[[str], str | None]) -> str:
    text = TEXT[lang]
    if provider.is_restricted:
        return text["confidential"]
    if provider.modality is Modality.REMOTE:
        return text["remote"]
    # The finest unit, then the préfecture (or Bangui) it lies in, for a reader elsewhere.
    finest = next((code for code in (provider.admin.adm3, provider.admin.adm2) if code), None)
    units = [area_name(code) for code in (finest, provider.admin.adm1) if code]
    place = ", ".join(dict.fromkeys(part for part in (provider.address, *units) if part))
    if provider.modality is Modality.MOBILE:
        return f"{text['mobile']}: {place}" if place else text["mobile"]
    return place or "—"


def _row(
    provider: Provider,
    services: Sequence[Service],
    lang: str,
    area_name: Callable[[str], str | None],
) -> Row:
    text = TEXT[lang]
    cost = cost_text(services, lang)
    access = ", ".join(dict.fromkeys(_ACCESS[lang][service.access] for service in services))
    if provider.is_restricted:
        # Its front door is case management, whatever the entry says of walking in.
        access = _ACCESS[lang][Access.CASE_MANAGEMENT_ONLY]
    languages = ", ".join(_LANGUAGE_NAMES[lang].get(code, code) for code in provider.languages)
    hours = hours_text(provider.opening_hours, lang)
    if provider.status.value == "temporarily_closed":
        hours = f"{text['closed']} – {hours}"
    labels = [_label(service.need, lang) for service in services]
    verified = provider.last_verified_at.date().isoformat() if provider.last_verified_at else "—"
    return Row(
        provider=provider.name,
        services=", ".join(dict.fromkeys(labels)),
        where=_where(provider, lang, area_name),
        hours=hours,
        phones=", ".join(provider.contacts.phones) or text["no_phone"],
        has_phone=bool(provider.contacts.phones),
        focal_point=provider.contacts.focal_point_role or "—",
        cost=cost,
        eligibility=eligibility_text(services, lang),
        languages=languages or "—",
        access=access or "—",
        verified=verified,
        confidential=provider.is_restricted,
        sample=provider.verification == "sample",
    )


def _in_block(option: Option, block: BlockSpec) -> tuple[Service, ...]:
    return tuple(
        service
        for service in option.facts.seen.services
        if any(service.need == need or service.need.startswith(need + ".") for need in block.needs)
    )


def block_options(
    result: SearchResult, block: BlockSpec
) -> list[tuple[Option, tuple[Service, ...]]]:
    """The first options of a block in ranked order, each provider once, with its services.

    The entry points add the search's safe entry points to its case management options,
    and list every hotline among them first: a phone line is the way in at any hour.
    """
    by_need = {options.need: options.options for options in result.pathway}
    candidates = [option for need in block.needs for option in by_need.get(need, ())]
    if block is ENTRY_POINTS:
        candidates = [*result.safe_entry_points, *candidates]
    chosen: dict[str, tuple[Option, tuple[Service, ...]]] = {}
    for option in candidates:
        services = _in_block(option, block)
        if block is ENTRY_POINTS and not services:
            services = option.facts.seen.services
        key = option.facts.entry.id_text
        if services and key not in chosen:
            chosen[key] = (option, services)
    found = list(chosen.values())
    if block is not ENTRY_POINTS:
        return found[:ROWS_PER_BLOCK]
    hotlines = [pair for pair in found if pair[0].facts.entry.provider.modality is Modality.REMOTE]
    others = [pair for pair in found if pair not in hotlines]
    return hotlines + others[:ROWS_PER_BLOCK]


def attribution(providers: Sequence[Provider], area: AdminArea) -> str:
    """Where the sheet's data comes from, with the credit its licences ask for."""
    parts = ["referral-api"]
    if any("OpenStreetMap" in (provider.source or "") for provider in providers):
        parts.append("© OpenStreetMap contributors")
    licences = sorted({provider.licence for provider in providers if provider.licence})
    if licences:
        parts.append(", ".join(licences))
    if area.source:
        parts.append(f"{area.source}{f', {area.licence}' if area.licence else ''}")
    return "; ".join(parts)


def build_sheet(
    *,
    result: SearchResult,
    area: AdminArea,
    area_name: Callable[[str], str | None],
    revision: int,
    printed_at: datetime,
    lang: str,
) -> Sheet:
    """The pathway of `area` from a search over `PATHWAY_NEEDS` for it."""
    text = TEXT[lang]
    blocks = []
    rows_seen: list[Row] = []
    providers: list[Provider] = []
    for spec in BLOCKS:
        chosen = block_options(result, spec)
        providers += [option.facts.entry.provider for option, _ in chosen]
        rows = tuple(
            _row(option.facts.entry.provider, services, lang, area_name)
            for option, services in chosen
        )
        rows_seen += rows
        blocks.append(Block(spec.key, spec.heading[lang], spec.note[lang], rows))
    verified = sorted(row.verified for row in rows_seen if row.verified != "—")
    footer = [f"{text['source']}: {attribution(providers, area)}"]
    if verified:
        footer.append(text["verified_span"].format(first=verified[0], last=verified[-1]))
    if any(row.sample for row in rows_seen):
        footer.append(
            "* Exemple illustratif : à remplacer par le circuit local vérifié avant tout usage."
            if lang == "fr"
            else "* Illustrative sample: replace with the local, verified pathway before use."
        )
    return Sheet(
        lang=lang,
        pcode=area.pcode,
        title=f"{text['title']} – {area.name}",
        area_line=f"{text['pcode']} {area.pcode} · {text['cod']} {area.cod_version}",
        printed_line=(
            f"{text['printed']} {printed_at.date().isoformat()} · {text['revision']} {revision}"
        ),
        blocks=tuple(blocks),
        steps_heading=text["steps"],
        steps=STEPS[lang],
        labels=text,
        footer=tuple(footer),
    )
