"""A brake on failed authentications: per client, in fixed memory, in constant time."""

from __future__ import annotations

import math
from array import array

# Seconds of rounding a bucket may exceed its size by: a burst of exactly `limit` failures
# sums `limit` floating-point intervals, which must not come to a hair over the window.
_ROUNDING = 1e-3


class FailureBrake:
    """`limit` failures per client in a burst, then one per `window / limit` seconds.

    Each client has a leaky bucket that every failure fills by `window / limit` seconds and
    that drains in real time; a failure that would overflow it is refused, and refused
    failures keep it full, so a client that keeps failing stays refused.

    Buckets live in a fixed table of `slots`, indexed by the client's hash (a keyed SipHash
    unless PYTHONHASHSEED is set) and tagged with the whole 64-bit hash. A client whose slot
    another one took starts again with an empty bucket: a collision can only let a client
    fail more, never refuse one for another's failures, so spraying addresses costs the
    brake nothing but its grip on the sprayer, who could have rotated addresses anyway.

    Not locked: the API calls it from its event loop alone, and a lock would double the
    cost of a failure.
    """

    def __init__(self, *, limit: int = 10, window: float = 60.0, slots: int = 1 << 16) -> None:
        if limit < 1 or window <= 0 or slots < 1 or slots & (slots - 1):
            raise ValueError("limit ≥ 1, window > 0 and slots a power of two are required")
        self._window = window
        self._interval = window / limit
        self._mask = slots - 1
        self._tags = array("q", bytes(8 * slots))
        self._empty_at = array("d", bytes(8 * slots))  # when the slot's bucket is empty again

    @property
    def memory_bytes(self) -> int:
        """The table's size, fixed at construction whatever the clients."""
        return self._tags.itemsize * len(self._tags) + self._empty_at.itemsize * len(self._empty_at)

    def failed(self, client: str, now: float) -> int | None:
        """Count one failure of `client` at `now` (seconds, monotonic).

        None while the client is within the limit, else the whole seconds (at least 1)
        until a failure of it would be counted as within the limit again.
        """
        tag = hash(client)
        slot = tag & self._mask
        tags, buckets, window = self._tags, self._empty_at, self._window
        empty_at = buckets[slot]
        level = empty_at - now if tags[slot] == tag and empty_at > now else 0.0
        filled = level + self._interval
        tags[slot] = tag
        buckets[slot] = now + (filled if filled < window else window)
        if filled <= window + _ROUNDING:
            return None
        return max(1, math.ceil(filled - window - _ROUNDING))
