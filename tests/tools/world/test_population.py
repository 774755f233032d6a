"""Population files: the shipped ones validate; a bad one fails with the offending field named."""

from pathlib import Path

import pytest

from tests.tools.world.conftest import DEFAULT, FASHION, GROCER, PET_PHARMACY
from tools.errors import InvalidInput
from tools.world.population import Population, load_population


@pytest.mark.parametrize("path", [DEFAULT, GROCER, FASHION, PET_PHARMACY])
def test_shipped_populations_validate(path: Path) -> None:
    population = load_population(path)
    assert population.response.cannibalisation > 0
    assert set(population.catalogue.departments) >= {"outerwear", "pets", "pantry"}


def test_the_two_populations_differ_where_they_say(default_population) -> None:
    grocer = load_population(GROCER)
    assert grocer.traits.price_sensitivity.mean > default_population.traits.price_sensitivity.mean

    def pantry_share(population: Population) -> float:
        departments = population.catalogue.departments
        return departments["pantry"].weight / sum(d.weight for d in departments.values())

    assert pantry_share(grocer) > pantry_share(default_population)


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT.read_text()
    assert old in text, old
    path = tmp_path / "population.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "price_sensitivity = { alpha = 2.0, beta = 3.5 }",
            "price_sensitivity = { alpha = -2.0, beta = 3.5 }",
            "traits.price_sensitivity.alpha",
        ),
        ("skus = 720 ", "skus = 'many' ", "catalogue.skus"),
        (
            "[catalogue.departments.electronics]",
            "[catalogue.departments.garden_gnomes]",
            "catalogue.departments",
        ),
        (
            "margin = { low = 0.52, high = 0.66 }",
            "margin = { low = 0.7, high = 0.66 }",
            "catalogue.departments.outerwear",
        ),
        ("cannibalisation = 0.08 ", "cannibalisation = 1.08 ", "response.cannibalisation"),
        ("decay_days = 2.0", "decay_days = -2.0", "response.intent.decay_days"),
        ("months = 12 ", "months = 12\nmoths = 3 ", "world.moths"),
        ("NZ = 0.05 }", "NZ = 0.05, Mars = 1.0 }", "members.regions"),
    ],
)
def test_a_bad_field_is_named(tmp_path: Path, old: str, new: str, field: str) -> None:
    with pytest.raises(InvalidInput, match=f"{tmp_path / 'population.toml'}: {field}") as caught:
        load_population(_edited(tmp_path, old, new))
    assert "\n" not in str(caught.value)


def test_not_toml_and_missing_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[world\nname = ")
    with pytest.raises(InvalidInput, match="is not valid TOML"):
        load_population(broken)
    with pytest.raises(InvalidInput, match="does not exist"):
        load_population(tmp_path / "absent.toml")
