"""Reading search answers in tests: each list entry joined with its provider's card, its
reasons and warnings worded from the answer's `notes`."""

from typing import Any

from referral_api.api.search_schemas import ProviderCard, RankedOption


def options_of(
    answer: dict[str, Any], name: str = "options", need: str | None = None
) -> list[dict]:
    """The options of one list (`options`, `one_stop`, `safe_entry_points`, or the pathway
    of `need`), each its card with every default filled in, its list entry, and the card
    again as `provider` with its id."""
    if need is not None:
        refs = next(step["options"] for step in answer["pathway"] if step["need"] == need)
    else:
        refs = answer[name]
    notes = answer["notes"]
    out = []
    for ref in refs:
        card = ProviderCard.model_validate(answer["providers"][ref["provider_id"]])
        full_card = card.model_dump(mode="json")
        for key in ("reasons", "warnings"):
            full_card[key] = {code: notes[code] for code in full_card[key]}
        entry = RankedOption.model_validate(ref).model_dump(mode="json", exclude_none=True)
        entry["warnings"] = {
            **full_card["warnings"],
            **{code: notes[code] for code in entry["warnings"]},
        }
        out.append({**full_card, **entry, "provider": {**full_card, "id": ref["provider_id"]}})
    return out
