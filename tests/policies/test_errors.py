"""One error tree: every exception class the product defines descends from `LoyaltyError`, except
the bugs it names as bugs, and each boundary maps the tree (HTTP here; CLI in tests/loyalty)."""

import importlib
import inspect
import pkgutil

import pytest

from policies.errors import InvalidInput, LoyaltyError, NotFound, PolicyError
from tools.errors import SendRefused, StorageError
from tools.events.http import status_for

PACKAGES = ("agents", "mcp_servers", "tools", "policies", "loyalty", "evals")
# Raised only when the product itself is wrong: kept outside the tree so they carry a traceback.
BUGS = {"tools.world.writer.ConstraintViolationError"}


def _product_exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if info.name.endswith("__main__") or ".migrations." in info.name:
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == module.__name__
                    and not name.startswith("_")
                ):
                    found[f"{module.__name__}.{name}"] = value
    return found


def test_every_public_exception_is_in_the_tree_or_a_named_bug() -> None:
    found = _product_exceptions()
    assert len(found) > 10  # the walk saw the product, not an empty package
    strays = sorted(
        name for name, cls in found.items() if not issubclass(cls, LoyaltyError) and name not in BUGS
    )
    assert strays == []
    assert all(name in found for name in BUGS)


def test_the_families_hang_where_the_tree_says() -> None:
    from agents.errors import AgentError, ModelOutputError, RunTerminated

    assert issubclass(PolicyError, InvalidInput)
    for family in (InvalidInput, NotFound, StorageError, SendRefused, AgentError):
        assert issubclass(family, LoyaltyError)
    assert issubclass(ModelOutputError, AgentError) and issubclass(RunTerminated, AgentError)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InvalidInput("bad"), 400),
        (NotFound("no member 7"), 404),
        (StorageError("db down"), 503),
        (SendRefused("paused", "budget paused"), 422),
    ],
)
def test_the_http_boundary_maps_each_family(error: LoyaltyError, status: int) -> None:
    assert status_for(error) == status
