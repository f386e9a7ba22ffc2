"""Seconds spent in each stage of the last build, for the build summary and the benchmarks."""

from __future__ import annotations

import time

TIMINGS: dict[str, float] = {}


class timed:  # noqa: N801 - used as ``with timed("PDF"):``
    """Add the time spent in a ``with`` block to TIMINGS[name]."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self) -> None:
        self.start = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        TIMINGS[self.name] = TIMINGS.get(self.name, 0.0) + time.monotonic() - self.start
