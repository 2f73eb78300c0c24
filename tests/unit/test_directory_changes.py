"""Snapshots made by writes share their build's state and rank like one built afresh."""

import random
from dataclasses import replace

import pytest

from referral_api.domain.model import Modality, Visibility
from referral_api.domain.ranking import RankingWeights, brute_force, search
from tests.unit.builders import GAZETTEER, index_of, provider, query

WEIGHTS = RankingWeights()
NEEDS = ["medical.pep", "case_management", "psychosocial.pss", "legal.aid"]


def names(options):
    return [option.facts.entry.provider.name for option in options]


def random_provider(rng: random.Random, key: str):
    kind = rng.random()
    if kind < 0.1:  # a hotline: a safe entry point without a location
        return provider(
            key, ("case_management", "psychosocial.pss"), at=None, modality=Modality.REMOTE
        )
    return provider(
        key,
        tuple(rng.sample(NEEDS, rng.randint(1, 2))),
        at=(18.3 + rng.random() * 0.6, 4.1 + rng.random() * 0.6),
        visibility=Visibility.RESTRICTED if kind > 0.9 else Visibility.PUBLIC,
    )


@pytest.mark.parametrize("start", [0, 60])
def test_a_run_of_writes_ranks_like_each_directory_built_afresh(start):
    # Rows are changed, added past the build, removed and brought back, over a chain of
    # snapshots each made from the one before.
    rng = random.Random(start)
    stored = {f"p{n}": random_provider(rng, f"p{n}") for n in range(start)}
    index = index_of(*stored.values())
    live = dict(stored)
    gone: dict[str, object] = {}
    for step in range(12):
        changed = []
        for _ in range(rng.randint(1, 6)):
            choice = rng.random()
            if choice < 0.4 and live:
                key = rng.choice(sorted(live))
                changed.append(replace(random_provider(rng, key), id=live[key].id))
            elif choice < 0.6 and gone:
                key = rng.choice(sorted(gone))
                changed.append(live.setdefault(key, random_provider(rng, key)))
            else:
                key = f"new{step}-{len(changed)}"
                changed.append(random_provider(rng, key))
            live[key] = changed[-1]
            gone.pop(key, None)
        removable = sorted(set(live) - {p.name for p in changed})
        removed = rng.sample(removable, min(2, len(removable) // 2))
        for key in removed:
            gone[key] = live.pop(key)
        index = index.with_changes(
            changed, [str(gone[key].id) for key in removed], revision=step, last_sequence=step
        )
        fresh = index_of(*live.values())
        assert len(index) == len(fresh) == len(live), step
        for trial in range(8):
            q = replace(
                query(needs=tuple(rng.sample(NEEDS, rng.randint(1, 2))), limit=50),
                place=GAZETTEER.at_point(18.3 + rng.random() * 0.6, 4.1 + rng.random() * 0.6),
            )
            got, expected = search(index, q, WEIGHTS), search(fresh, q, WEIGHTS)
            assert names(got.options) == names(expected.options), (step, trial)
            assert names(got.safe_entry_points) == names(expected.safe_entry_points)
            oracle = [facts.entry.provider.name for facts in brute_force(index, q, WEIGHTS)]
            assert names(got.options) == oracle[:50], (step, trial)


def test_a_write_shares_the_entries_ids_and_arrays_of_the_build():
    # What makes a write cost the size of the change: nothing of the build is copied.
    rng = random.Random(3)
    index = index_of(*(random_provider(rng, f"p{n}") for n in range(50)))
    first = index.with_changes([random_provider(rng, "new")], (), revision=2, last_sequence=1)
    second = first.with_changes(
        [], [str(index.entries[0].provider.id)], revision=3, last_sequence=2
    )
    for snapshot in (first, second):
        assert snapshot._made is index._made
        assert snapshot._built_ids is index._built_ids
        assert snapshot._rows.base is index._rows.base
    assert len(second._rows.patch_rows) == 2
    assert "new" in {entry.provider.name for entry in second.entries}
    assert str(first.entries[-1].provider.id) in second.by_id
    assert len(index) == 50 and len(first) == 51 and len(second) == 50
