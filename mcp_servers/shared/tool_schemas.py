"""Tool registrations this process has already built, reused when a server is built again.

The SDK derives a tool's argument model and its input and output schemas from the function's
signature on every registration: ~90% of the time it takes to build a server. The servers are
built over and over in one process (every `open_product`, every case of the guard's suite), each
time from the same function definitions, so the registration of a function whose signature and
options are the same as before is copied with the new function instead of derived again.
"""

import inspect
import json
import typing
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Annotated, Any

from mcp.server.mcpserver.tools import Tool
from pydantic.fields import FieldInfo

# Bounded: a signature whose annotations differ on every definition (a class or a validator defined
# inside the build) never hits, and must not grow the cache without end.
_LIMIT = 1_024
_built: OrderedDict[Hashable, Tool] = OrderedDict()


def registration_key(fn: Callable[..., Any], options: dict[str, Any]) -> Hashable | None:
    """What a tool's registration depends on, or None when it cannot be keyed (then it is derived).

    The definition (code object: closures from one `def` share it), the signature's annotations
    (`_shape`) and defaults as evaluated for this definition, the name and docstring, and the
    registration options."""
    inner = inspect.unwrap(fn)
    code = getattr(inner, "__code__", None)
    if code is None:
        return None
    key = (
        code,
        tuple(
            (name, _shape(annotation)) for name, annotation in getattr(inner, "__annotations__", {}).items()
        ),
        getattr(inner, "__defaults__", None),
        tuple(sorted((getattr(inner, "__kwdefaults__", None) or {}).items())),
        getattr(fn, "__signature__", None),
        fn.__name__,
        fn.__doc__,
        json.dumps(options, sort_keys=True, default=_plain),
    )
    try:
        hash(key)
    except TypeError:  # an unhashable annotation or default
        return None
    return key


def built_for(key: Hashable | None, fn: Callable[..., Any]) -> Tool | None:
    """The registration built before under `key`, now for `fn`; None when there is none."""
    if key is None or (tool := _built.get(key)) is None:
        return None
    _built.move_to_end(key)
    return tool.model_copy(update={"fn": fn})


def remember(key: Hashable | None, tool: Tool) -> None:
    if key is None:
        return
    _built[key] = tool
    while len(_built) > _LIMIT:
        _built.popitem(last=False)


def _shape(annotation: Any) -> Any:
    """An annotation as a value that is equal for equal annotations. `Annotated[int, Field(ge=1)]`
    written in a signature is a new object on every definition, and pydantic's `FieldInfo`
    compares by identity, so a field is taken by its repr (every setting that differs from the
    default; a function in it shows its address, so one defined per build never matches). Classes
    and other values stand for themselves: a class defined inside a build differs on every build."""
    if isinstance(annotation, FieldInfo):
        return ("field", repr(annotation))
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return ("annotated", _shape(annotation.__origin__), tuple(_shape(m) for m in annotation.__metadata__))
    if origin is not None:
        return (origin, tuple(_shape(argument) for argument in typing.get_args(annotation)))
    return annotation


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    if dump is None:
        raise TypeError(f"cannot key a tool option of type {type(value).__name__}")
    return dump(mode="json")
