import pytest

from policies.loader import load_policy
from policies.model import Policy


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()
