"""Naming a member by internal id or by the retailer's external id, as people and clients do."""

from sqlalchemy import bindparam, or_, select

from tools.errors import InvalidInput, NotFound
from tools.storage import MAX_EXTERNAL_ID, MAX_ROW_ID, Customer, Database

# Built once: every decision names its member twice (the profile, the scoring), and building a
# statement costs more than running it.
_MEMBER = select(Customer.id, Customer.external_id)
_BY_ID = _MEMBER.where(Customer.id == bindparam("internal"))
_BY_EXTERNAL = _MEMBER.where(Customer.external_id == bindparam("external"))
_BY_BOTH = _MEMBER.where(
    or_(Customer.external_id == bindparam("external"), Customer.id == bindparam("internal"))
)


async def resolve_member(db: Database, member: int | str) -> int:
    """The internal id of a member named by internal id (an int) or, as a string, by external id
    or internal id (`id:12` / `ext:12` say which when a string could be either)."""
    text = str(member).strip()
    if isinstance(member, int) and not 0 < member <= MAX_ROW_ID:
        raise NotFound(f"no member with id {member}")
    if len(text) > MAX_EXTERNAL_ID or not text.isprintable():
        raise InvalidInput(
            f"a member id is at most {MAX_EXTERNAL_ID} printable characters, got "
            f"{len(text)}{'' if text.isprintable() else ' with control characters'}"
        )
    forced = "id" if isinstance(member, int) else None
    if ":" in text and text.split(":", 1)[0] in ("id", "ext"):
        forced, text = text.split(":", 1)
    internal = int(text) if forced != "ext" and text.isascii() and text.isdigit() else None
    internal = internal if internal is not None and internal <= MAX_ROW_ID else None
    external = text if forced != "id" else None
    if external is None and internal is None:
        raise NotFound(f"no member with id or external id {text!r}")
    statement = (
        _BY_BOTH
        if external is not None and internal is not None
        else _BY_EXTERNAL
        if internal is None
        else _BY_ID
    )
    async with db.engine.connect() as conn:
        rows = (await conn.execute(statement, {"external": external, "internal": internal})).all()
    by_external = next((i for i, e in rows if external is not None and e == external), None)
    by_internal = next((i for i, _ in rows if i == internal), None)
    if isinstance(member, int):
        if by_internal is None:
            raise NotFound(f"no member with id {member}")
        return by_internal
    if by_external is not None and by_internal is not None and by_external != by_internal:
        raise InvalidInput(
            f"{text!r} is both member id {by_internal} and the external id of member {by_external}: "
            f"say id:{text} or ext:{text}"
        )
    found = by_external if by_external is not None else by_internal
    if found is None:
        raise NotFound(f"no member with id or external id {text!r}")
    return found
