"""Package surfaces that import their modules on first use (PEP 562).

A package's `__init__` names its public surface, but importing every module behind it would make
`import tools.storage` as heavy as the whole package (an MCP server must start fast and never load
scikit-learn it does not use), and would let one module's import pull its siblings into a cycle.
So a package lists where each public name lives and gets a module `__getattr__` that imports that
module when the name is first asked for:

    if TYPE_CHECKING:  # for type checkers, which do not run `__getattr__`
        from tools.profiles.service import ProfileService
    __all__ = ["ProfileService"]
    __getattr__ = lazy_exports(__name__, {"service": ("ProfileService",)})

It lives in `policies` because that is the layer every other may import; it imports nothing of ours.
"""

from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_exports(package: str, homes: Mapping[str, tuple[str, ...]]) -> Callable[[str], object]:
    """A module `__getattr__` for `package`: `homes` maps a module (relative to the package) to the
    public names it holds."""
    where = {name: f"{package}.{module}" for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> object:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(where[name]), name)

    return __getattr__
