"""Which of the languages the service speaks a request gets."""

from __future__ import annotations

from typing import Literal

Language = Literal["fr", "en"]
LANGUAGES: tuple[Language, ...] = ("fr", "en")


def chosen_language(
    asked: str | None, accept_language: str | None, default: Language = "fr"
) -> Language:
    """`asked` if it is one we speak, else the first of ours in `Accept-Language` (in the
    order the client lists them), else `default`."""
    for candidate in (asked, *(part.split(";")[0] for part in (accept_language or "").split(","))):
        code = (candidate or "").strip().lower()[:2]
        if code == "fr":
            return "fr"
        if code == "en":
            return "en"
    return default
