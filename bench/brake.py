"""Benchmark of the brake on failed authentications under a spray of distinct addresses.

Counts one failure for each of N distinct IPv4 addresses (prepared beforehand, so only the
brake is timed), then reports the time per failure, the table's fixed size and how much
memory the spray added. The last line printed is one JSON object with the figures.
Run: `.venv/bin/python bench/brake.py [--addresses 1000000]`.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc

from referral_api.domain.brake import FailureBrake


def main() -> None:
    """Spray the brake and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--addresses", type=int, default=1_000_000)
    count = parser.parse_args().addresses
    addresses = [f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}" for n in range(count)]
    brake = FailureBrake()
    started = time.perf_counter()
    for address in addresses:
        brake.failed(address, 1.0)
    seconds = time.perf_counter() - started

    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for address in addresses:
        brake.failed(address, 2.0)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()

    figures = {
        "addresses": count,
        "seconds": round(seconds, 3),
        "microseconds_per_failure": round(seconds / count * 1e6, 3),
        "table_bytes": brake.memory_bytes,
        "bytes_added_by_the_spray": grown,
    }
    print(f"{count} distinct addresses: {seconds:.3f} s, table {brake.memory_bytes} bytes")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
