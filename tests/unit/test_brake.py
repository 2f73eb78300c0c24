import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_api.domain.brake import FailureBrake

limits = st.integers(min_value=1, max_value=50)
windows = st.floats(min_value=0.5, max_value=3600, allow_nan=False)
starts = st.floats(min_value=0, max_value=1e7, allow_nan=False)
# Seconds between one failure and the next.
gaps = st.lists(st.floats(min_value=0, max_value=30, allow_nan=False), max_size=60)


CLIENTS = ["192.0.2.1", "192.0.2.2", "2001:db8::/64"]


def address(number: int) -> str:
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def replay(brake: FailureBrake, client: str, start: float, history: list[float]) -> float:
    now = start
    for gap in history:
        now += gap
        brake.failed(client, now)
    return now


@settings(deadline=None)
@given(limit=limits, window=windows, start=starts)
def test_a_burst_of_limit_failures_passes_and_the_next_is_refused(limit, window, start):
    brake = FailureBrake(limit=limit, window=window)
    assert [brake.failed("192.0.2.1", start) for _ in range(limit)] == [None] * limit
    retry_after = brake.failed("192.0.2.1", start)
    assert retry_after is not None
    assert 1 <= retry_after <= window / limit + 1


@settings(deadline=None)
@given(limit=limits, window=windows, start=starts, history=gaps)
def test_retry_after_is_exactly_as_long_as_needed(limit, window, start, history):
    waited, hurried = (
        FailureBrake(limit=limit, window=window),
        FailureBrake(limit=limit, window=window),
    )
    for brake in (waited, hurried):
        now = replay(brake, "192.0.2.1", start, history)
        for _ in range(limit):
            brake.failed("192.0.2.1", now)
    retry_after = waited.failed("192.0.2.1", now)
    assert retry_after is not None and hurried.failed("192.0.2.1", now) == retry_after
    assert waited.failed("192.0.2.1", now + retry_after) is None
    if retry_after > 1:
        assert hurried.failed("192.0.2.1", now + retry_after - 1) is not None


@settings(deadline=None)
@given(limit=limits, window=windows, start=starts, gap=st.floats(min_value=0, max_value=1))
def test_a_client_that_keeps_failing_stays_refused(limit, window, start, gap):
    brake = FailureBrake(limit=limit, window=window)
    now = start
    for _ in range(limit):
        brake.failed("192.0.2.1", now)
    refused = 0
    for _ in range(3 * limit):
        now += min(gap, window / limit / 2)  # faster than the bucket drains
        refused += brake.failed("192.0.2.1", now) is not None
    assert refused >= 2 * limit


@settings(deadline=None)
@given(
    limit=limits,
    window=windows,
    slots=st.sampled_from([1, 2, 1 << 16]),
    failures=st.lists(
        st.tuples(st.sampled_from(CLIENTS), st.floats(0, 30)),
        max_size=80,
    ),
)
def test_no_client_is_refused_for_another_ones_failures(limit, window, slots, failures):
    shared = FailureBrake(limit=limit, window=window, slots=slots)
    alone = {client: FailureBrake(limit=limit, window=window) for client, _ in failures}
    now = 0.0
    for client, gap in failures:
        now += gap
        refused_together = shared.failed(client, now) is not None
        refused_alone = alone[client].failed(client, now) is not None
        # Sharing a table (even a single slot) may forget failures, never invent them.
        assert refused_together <= refused_alone
        if slots == 1 << 16 and len({hash(c) & (slots - 1) for c in CLIENTS}) == len(CLIENTS):
            assert refused_together == refused_alone


def test_a_million_addresses_take_no_memory_beyond_the_table():
    brake = FailureBrake()
    table = brake.memory_bytes
    assert table <= 1 << 20
    for number in range(1000):  # warm-up: the first calls allocate caches of their own
        brake.failed(address(number), 0.0)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(50_000):
            brake.failed(address(number), 1.0)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 16 * 1024
    for number in range(1_000_000):
        brake.failed(address(number), 2.0)
    assert brake.memory_bytes == table
    # The spray left the brake working.
    assert [brake.failed("198.51.100.7", 3.0) for _ in range(11)][-1] is not None


@pytest.mark.parametrize("arguments", [{"limit": 0}, {"window": 0}, {"slots": 0}, {"slots": 3}])
def test_a_brake_that_could_not_work_is_refused(arguments):
    with pytest.raises(ValueError, match="power of two"):
        FailureBrake(**arguments)
