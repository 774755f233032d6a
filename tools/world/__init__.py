"""The synthetic retail world: a believable retailer generated from a population file and a seed.

Same seed, same bytes in every table; history ends on the population's end date, never "today".
Where to start:
- `load_population` reads a population file (`default_population.toml` documents every
  field; `populations/` holds a value grocer, a fashion label and a pet & pharmacy chain, each
  file saying what differs; docs/simulation.md compares them with public benchmarks);
- `seed_world` checks, generates (`generate_world`), writes in one transaction
  (`write_world`) and stores the hidden traits;
- `truth.load_truth` gives the simulator those hidden traits, which never enter the database
  (see `tools.world.truth` for where they live), and `ResponseModel` the hidden response
  model the population file describes;
- `world_summary` and `fingerprint.fingerprint` describe and hash what a database holds.
"""

from typing import TYPE_CHECKING

from policies.lazy_exports import lazy_exports

if TYPE_CHECKING:  # type checkers do not run `__getattr__`
    from tools.world.campaigns import SMS_OPT_OUT
    from tools.world.generator import World, WorldRequest, generate_world
    from tools.world.offers import OFFERS_BY_CODE, OfferTemplateSpec
    from tools.world.population import Population, load_population
    from tools.world.response import Exposure, Probabilities, ResponseModel
    from tools.world.rows import Columns
    from tools.world.seeding import seed_world
    from tools.world.stamp import WorldInfo, read_world_info
    from tools.world.summary import WorldSummary, world_summary
    from tools.world.taxonomy import DEPARTMENTS
    from tools.world.truth import HiddenTraits
    from tools.world.writer import write_world

__all__ = [
    "Columns",
    "DEPARTMENTS",
    "Exposure",
    "HiddenTraits",
    "OFFERS_BY_CODE",
    "OfferTemplateSpec",
    "Population",
    "Probabilities",
    "ResponseModel",
    "SMS_OPT_OUT",
    "World",
    "WorldInfo",
    "WorldRequest",
    "WorldSummary",
    "generate_world",
    "load_population",
    "read_world_info",
    "seed_world",
    "world_summary",
    "write_world",
]

__getattr__ = lazy_exports(__name__)
