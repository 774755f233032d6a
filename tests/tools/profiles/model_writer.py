"""What each process of `test_model_files_concurrency` runs: a module of its own, light to import,
so the forkserver preloads it (and the model code it needs) once for every child."""

import time
import traceback
from pathlib import Path

import joblib

from tools.profiles.artefact import ModelStore


def save_and_read_back(source: Path, target: Path, start: Path, errors: Path) -> None:
    """Wait for the start file, then save the same artefact three times and read the newest back
    after each save: the old fixed `.partial` name made all but one concurrent writer fail.
    A failure is written to `errors` (the parent shows it) and ends the process with code 1."""
    try:
        models = joblib.load(source)
        while not start.exists():
            time.sleep(0.01)
        store = ModelStore(target)
        for _ in range(3):
            store.save(models)
            loaded = store.for_as_of(models.as_of)
            assert loaded is not None and loaded.as_of == models.as_of
    except BaseException:
        errors.write_text(traceback.format_exc())
        raise SystemExit(1) from None
