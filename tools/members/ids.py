"""Naming a member by internal id or by the retailer's external id, as people and clients do."""

from sqlalchemy import or_, select

from tools.errors import InvalidInput, NotFound
from tools.storage import MAX_EXTERNAL_ID, MAX_ROW_ID, Customer, Database


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
    either = [Customer.external_id == external] if external is not None else []
    either += [Customer.id == internal] if internal is not None else []
    if not either:
        raise NotFound(f"no member with id or external id {text!r}")
    async with db.engine.connect() as conn:
        rows = (await conn.execute(select(Customer.id, Customer.external_id).where(or_(*either)))).all()
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
