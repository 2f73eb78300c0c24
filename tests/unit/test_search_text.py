"""The text answer lists the same providers, in the same order, as the JSON answer."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_api.api.search_text import render_text
from referral_api.domain.access import ANONYMOUS, Viewer
from referral_api.domain.explanations import DISTANCE_BAND_WORDS
from referral_api.domain.model import Contacts, Visibility
from referral_api.domain.ranking import RankingWeights, TimeSinceIncident, search
from tests.unit.builders import index_of, provider, query
from tests.unit.test_rules import directories

WEIGHTS = RankingWeights()


def _numbered(text: str) -> list[list[str]]:
    """The option lines of each block, in order."""
    blocks, current = [], None
    for line in text.splitlines():
        if line and line[0].isdigit() and ". " in line:
            assert current is not None
            current.append(line.split(". ", 1)[1])
        elif line and line == line.upper() and any(c.isalpha() for c in line):
            current = []
            blocks.append(current)
    return blocks


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    providers=directories(),
    needs=st.sampled_from([("medical",), ("medical", "psychosocial"), ("safety", "legal")]),
    lang=st.sampled_from(["fr", "en"]),
    viewer=st.sampled_from([ANONYMOUS, Viewer("org", key_id="k")]),
)
def test_every_text_option_is_the_json_option_at_its_rank(providers, needs, lang, viewer):
    asked = query(needs=needs, time_since_incident=TimeSinceIncident.LT72H)
    result = search(index_of(*providers), asked, WEIGHTS)
    text = render_text(result, asked.place, needs, asked.time_since_incident, "now", lang, viewer)
    lists = [result.safe_entry_points]
    if result.pathway:
        lists += [step.options for step in result.pathway]
        if result.one_stop:
            lists.append(result.one_stop)
    else:
        lists.append(result.options)
    blocks = _numbered(text)
    assert len(blocks) == len(lists)
    for lines, options in zip(blocks, lists, strict=True):
        assert len(lines) == len(options)
        for line, option in zip(lines, options, strict=True):
            assert line.startswith(option.facts.entry.provider.name + " · ")


def test_a_confidential_provider_is_listed_by_its_front_door_only():
    house = provider(
        "Maison",
        ("safety.shelter", "case_management"),
        km_east=3,
        visibility=Visibility.RESTRICTED,
        address="Rue secrète 4",
        contacts=Contacts(phones=("+23670000000",)),
    )
    asked = query(needs=("safety",))
    result = search(index_of(house), asked, WEIGHTS)
    text = render_text(
        result, asked.place, ("safety",), asked.time_since_incident, "now", "fr", ANONYMOUS
    )
    assert "Rue secrète" not in text
    assert "+23670000000" in text and "adresse confidentielle" in text
    for french, _ in DISTANCE_BAND_WORDS.values():
        text = text.replace(french, "")
    assert "km" not in text  # a band, never a distance
