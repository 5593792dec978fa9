"""Named, independent random streams: one ``numpy.random.Generator`` per random element.

A stream is addressed by the root seed, the replication index and a name such as
``("fate", "email", 0, "L1", "handle")``. Its ``SeedSequence`` has the spawn key
``(replication, *crc32(name parts))``, so a stream never depends on which other streams
exist or in what order they are drawn: adding a tier or a channel, or changing the
routing policy, leaves every other ticket's fate untouched (common random numbers).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np


def _word(part: str | int) -> int:
    return zlib.crc32(str(part).encode("utf-8"))


def new_seed() -> int:
    """A fresh root seed from the operating system's entropy (recorded with results)."""
    return int(np.random.SeedSequence().entropy) % (2**63)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Streams:
    """The random streams of one replication."""

    seed: int
    replication: int

    def seed_sequence(self, *name: str | int) -> np.random.SeedSequence:
        """The seed sequence of the stream called ``name``."""
        key = (self.replication, *(_word(part) for part in name))
        return np.random.SeedSequence(self.seed, spawn_key=key)

    def generator(self, *name: str | int) -> np.random.Generator:
        """A generator for the stream called ``name``."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(*name)))
