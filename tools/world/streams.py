"""Named random streams derived from one seed.

Each generation step draws from its own stream, so adding a draw to one step leaves every other
step's output unchanged, and a world is reproducible from its seed alone.
"""

import zlib
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Streams:
    seed: int

    def __call__(self, name: str) -> np.random.Generator:
        return np.random.default_rng([self.seed, zlib.crc32(name.encode())])
