"""The OpenAPI document's summaries and descriptions in French, by their English text."""

FRENCH: dict[str, str] = {}
