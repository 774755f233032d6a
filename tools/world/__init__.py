"""The synthetic retail world: a believable retailer generated from a population file and a seed.

Same seed, same bytes in every table; history ends on the population's end date, never "today".
Where to start:
- `population.load_population` reads a population file (`default_population.toml` documents every
  field; `populations/` holds a value grocer, a fashion label and a pet & pharmacy chain, each
  file saying what differs; docs/simulation.md compares them with public benchmarks);
- `seeding.seed_world` checks, generates (`generator.generate_world`), writes in one transaction
  (`writer.write_world`) and stores the hidden traits;
- `truth.load_truth` gives the simulator those hidden traits, which never enter the database
  (see `tools.world.truth` for where they live), and `response.ResponseModel` the hidden response
  model the population file describes;
- `summary.world_summary` and `fingerprint.fingerprint` describe and hash what a database holds.
"""
