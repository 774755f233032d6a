"""Package surfaces that import their modules on first use (PEP 562).

A package's `__init__` names its public surface, but importing every module behind it would make
`import tools.storage` as heavy as the whole package (an MCP server must start fast and never load
scikit-learn it does not use), and would let one module's import pull its siblings into a cycle.
So a package imports its public names only for type checkers and gets a module `__getattr__` that
imports a name's module when the name is first asked for:

    if TYPE_CHECKING:
        from tools.profiles.service import ProfileService
    __all__ = ["ProfileService"]
    __getattr__ = lazy_exports(__name__)

Where each name lives is read from those `if TYPE_CHECKING:` imports, the lines type checkers read,
so it is written once. This lives in `policies` because that is the layer every other may import;
it imports nothing of ours.
"""

import ast
import sys
from collections.abc import Callable
from functools import cache
from importlib import import_module
from pathlib import Path


def lazy_exports(package: str) -> Callable[[str], object]:
    """A module `__getattr__` for `package` (pass `__name__`)."""

    @cache
    def homes() -> dict[str, str]:
        source = Path(str(sys.modules[package].__file__)).read_text(encoding="utf-8")
        found: dict[str, str] = {}
        for node in ast.parse(source).body:
            if (
                isinstance(node, ast.If)
                and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"
            ):
                for stmt in node.body:
                    if isinstance(stmt, ast.ImportFrom) and stmt.module:
                        found.update({alias.asname or alias.name: stmt.module for alias in stmt.names})
        return found

    def __getattr__(name: str) -> object:
        module = homes().get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(module), name)

    return __getattr__
