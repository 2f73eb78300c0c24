"""Processes a command starts for its heavy work, which end when it does.

A pool's workers wait on a queue whose writing end they hold themselves: if the process
that started them is killed (by the kernel's out-of-memory killer, say), they would wait
for ever, each holding its imported modules (about 90 MB).
"""

from __future__ import annotations

import os
import threading
import time

# How often a child looks whether the process that started it is still there.
LOOK_EVERY_SECONDS = 1.0


def end_with(parent: int) -> None:
    """In a child: end as soon as `parent` is no longer the process that started it."""
    threading.Thread(target=_watch, args=(parent,), name="end-with-parent", daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(LOOK_EVERY_SECONDS)
    os._exit(1)
