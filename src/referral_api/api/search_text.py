"""The search answer as a numbered referral list to read, print or send by SMS.

The same ranking and the same privacy as the JSON answer: each option is its one-line
summary as the caller may see it (a confidential provider by its front door and a distance
band), then its warnings and reasons in words. Safe entry points come first.
"""

from __future__ import annotations

from collections.abc import Iterable

from referral_api.domain import access
from referral_api.domain.access import Viewer
from referral_api.domain.explanations import need_labels
from referral_api.domain.gazetteer import Place
from referral_api.domain.ranking import Option, SearchResult, TimeSinceIncident
from referral_api.domain.ranking.summary import summary_line
from referral_api.domain.taxonomy import get_need

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Orientation — {area}", "Referral — {area}"),
    "needs": ("Besoins : {needs}", "Needs: {needs}"),
    "window": ("Incident : {window}", "Incident: {window}"),
    "moment": ("Horaires évalués le {moment}", "Opening hours as of {moment}"),
    "entry_points": (
        "POINTS D'ENTRÉE SÛRS (gestion de cas, ligne d'écoute)",
        "SAFE ENTRY POINTS (case management, hotline)",
    ),
    "one_stop": ("PLUSIEURS BESOINS AU MÊME ENDROIT", "SEVERAL NEEDS IN ONE PLACE"),
    "none": ("Aucune option trouvée ici pour ce besoin.", "No option found here for this need."),
    "warnings": ("Attention : {notes}", "Note: {notes}"),
    "reasons": ("Pourquoi : {notes}", "Why: {notes}"),
    "footer": (
        "Demander l'accord de la personne avant toute orientation. Ne partager que le nécessaire.",
        "Ask for the person's consent before any referral. Share only what is needed.",
    ),
}

# The urgency windows in words, as the docs page also gives them.
WINDOW_LABELS: dict[TimeSinceIncident, tuple[str, str]] = {
    TimeSinceIncident.LT72H: ("moins de 72 heures", "less than 72 hours"),
    TimeSinceIncident.FROM72TO120H: ("de 72 à 120 heures", "72 to 120 hours"),
    TimeSinceIncident.GT120H: ("plus de 120 heures", "more than 120 hours"),
    TimeSinceIncident.UNKNOWN: (
        "moment inconnu (traité comme moins de 72 heures)",
        "unknown (treated as less than 72 hours)",
    ),
}


def _say(key: str, lang: str, **values: str) -> str:
    french, english = _WORDS[key]
    return (english if lang == "en" else french).format(**values)


def render_text(
    result: SearchResult,
    place: Place,
    needs: tuple[str, ...],
    window: TimeSinceIncident,
    moment: str,
    lang: str,
    viewer: Viewer,
) -> str:
    """The answer as plain text in `lang`, as `viewer` may see it."""
    area = f"{place.label} ({place.pcodes[0]})" if place.pcodes else place.label
    lines = [
        _say("title", lang, area=area),
        _say("needs", lang, needs=need_labels(needs, lang)),
        _say("window", lang, window=WINDOW_LABELS[window][lang == "en"]),
        _say("moment", lang, moment=moment),
        "",
        *_block(_say("entry_points", lang), result.safe_entry_points, lang, viewer),
    ]
    if result.pathway:
        for step in result.pathway:
            lines += _block(_need_heading(step.need, lang), step.options, lang, viewer)
        if result.one_stop:
            lines += _block(_say("one_stop", lang), result.one_stop, lang, viewer)
    else:
        lines += _block(_need_heading(needs[0], lang), result.options, lang, viewer)
    lines.append(_say("footer", lang))
    return "\n".join(lines) + "\n"


def _need_heading(code: str, lang: str) -> str:
    need = get_need(code)
    return (need.label(lang) if need else code).upper()


def _block(heading: str, options: Iterable[Option], lang: str, viewer: Viewer) -> list[str]:
    lines = [heading]
    listed = False
    for option in options:
        listed = True
        shown = access.seen(viewer, option.facts.entry.exact)
        summary = summary_line(option, shown.provider, shown.location_withheld, lang)
        lines.append(f"{option.rank}. {summary}")
        for key, notes in (("warnings", option.warnings), ("reasons", option.reasons)):
            if notes:
                words = " ".join(n.message(lang) for n in notes)
                lines.append("   " + _say(key, lang, notes=words))
    if not listed:
        lines.append(_say("none", lang))
    return [*lines, ""]
