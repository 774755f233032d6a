"""How every tool names a member: the internal id or the retailer's external id, as the
`member://` resource does, so a client can pass whichever it was given."""

from typing import Annotated

from pydantic import Field

MemberRef = Annotated[
    Annotated[int, Field(ge=1)] | Annotated[str, Field(min_length=1, max_length=64)],
    Field(description="Member: internal id (number) or external id (string, e.g. 'M00000042')."),
]
