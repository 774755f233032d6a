"""The rules, each a function from a `Frame` and its config block to the rows it finds in breach.

One module per family (consent, contact pressure, discount, ...); the engine (`policies.engine`)
is their registry and looks each family up by module. What a rule returns (`Hit`) and its shape
(`RuleFn`) are the package's surface."""

from policies.rules.base import Hit, RuleFn

__all__ = ["Hit", "RuleFn"]
