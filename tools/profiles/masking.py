"""Reducing personal details to hints: enough to recognise a member, not to contact them."""


def mask_email(email: str | None) -> str | None:
    """`jane.doe@example.com` -> `j***@example.com`."""
    if not email:
        return email
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    """`+61 412 345 612` -> `+61 4** *** *12`: the country code and first digit of an
    international number (one digit otherwise) and the last two stay; spacing is kept."""
    if not phone:
        return phone
    digits = sum(ch.isdigit() for ch in phone)
    keep_first = 3 if phone.lstrip().startswith("+") else 1
    keep_last = 2
    if digits <= keep_first + keep_last:
        return "".join("*" if ch.isdigit() else ch for ch in phone)
    seen = 0
    out = []
    for ch in phone:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen <= keep_first or seen > digits - keep_last else "*")
        else:
            out.append(ch)
    return "".join(out)


def mask_name(name: str) -> str:
    """`Smith` -> `S.`"""
    return f"{name[:1]}." if name else name
