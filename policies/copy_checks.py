"""Structural checks on copy: what may appear in a member's message is defined, not listed.

No list of bad domains, scam numbers or addresses can ever be complete, so these checks say what
*is* allowed and refuse everything else:

- links only to the retailer's configured domains (and their subdomains), compared in IDNA form,
  so a look-alike host in another script, a homoglyph swap (rn for m, I for l) or the retailer's
  name under a foreign domain is simply not one of them;
- no e-mail address, phone number (found with the `phonenumbers` library, which knows every
  country's numbering plan) or street address other than the retailer's own: anyone else's is a
  leak of personal data or a lure;
- no request for a secret (PIN, password, card or bank details, one-time code): the retailer never
  asks for one in a marketing message, so any such request is a phishing lure, whoever wrote it;
- no invisible format characters: copy has no use for them, and hidden text uses them.

Each check reads the plain and skeleton views of the text (`policies.normalise`), so obfuscation
("prize-site[.]com", "name (at) mail dot com", full-width digits) does not hide what it says.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from policies.normalise import hidden_characters, views
from policies.retailer import Retailer

# A host: labels of letters, digits and hyphens (any script), a dot, and a top-level label of
# letters. A top-level label in Title case is a sentence run together ("landed.Shop"), not a host.
_HOST = re.compile(
    r"(?<![\w@.-])((?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+([^\W\d_]{2,24}|xn--[a-z0-9-]{2,59}))(?![\w@-])"
)
_SCHEME = re.compile(r"\b(?:https?|ftp)://([^\s/?#<>\"']+)", re.IGNORECASE)
_OBFUSCATED_DOT = re.compile(
    r"(?<=\w)\s*(?:[\[\(\{<]\s*(?:dot|\.)\s*[\]\)\}>]|\s+dot\s+)\s*(?=\w)", re.IGNORECASE
)
_OBFUSCATED_AT = re.compile(
    r"(?<=\w)\s*(?:[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]|\s+at\s+(?=[\w-]+\s+dot\s))\s*(?=\w)", re.IGNORECASE
)
_EMAIL = re.compile(r"[\w.+'-]+@((?:[\w-]+\.)+[\w-]{2,})")
_STREET_TYPES = (
    "Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Boulevard|Blvd|Crescent|Cres|Parade|Pde|"
    "Highway|Hwy|Terrace|Tce|Way|Close|Cl|Square|Sq|Circuit|Cct|Esplanade|Grove|Gr|Mews|Row|Walk|Rue|Strasse|Straße|"
    "Calle|Via"
)
_STREET_ADDRESS = re.compile(
    rf"\b(?:(?:unit|apt|flat|suite)\s*\d+[a-z]?\s*[/,]?\s*)?\d{{1,5}}[a-z]?(?:\s*[/-]\s*\d{{1,5}})?,?\s+"
    rf"(?:[A-Z][\w'’-]+\s+){{1,3}}(?:{_STREET_TYPES})\b\.?",
)
_PO_BOX = re.compile(r"\b(?:P\.?\s?O\.?\s?Box|Post Office Box|GPO Box)\s*\d+", re.IGNORECASE)
_SECRET_REQUEST = re.compile(
    r"\b(?:reply|respond|send|text|sms|tell|give|share|confirm|verify|enter|provide|type|email|dm|whatsapp)\b"
    r".{0,40}?\b(?:pin|passwords?|passcodes?|card (?:number|details|pin|code)|cvv|cvc|security code|"
    r"(?:one[- ]time|verification|login|sms) code|bank (?:details|account)|account (?:number|details)|"
    r"login details|credentials)\b"
    r"|\b(?:your|the) (?:pin|password|cvv|cvc|card pin)\b.{0,30}?\b(?:to|by|via)\b",
    re.IGNORECASE,
)
_MIN_PHONE_DIGITS = 6
_MIN_POSSIBLE_DIGITS = 10  # a number no country calls valid, shorter than this, is a code or a price
_YEAR_RANGE = re.compile(r"(?:19|20)\d\d\s*[-–/]\s*(?:19|20)\d\d")


@dataclass(frozen=True, slots=True)
class CopyProblem:
    kind: str  # "link", "contact", "secret", "hidden"
    detail: str


def _deobfuscated(text: str) -> str:
    return _OBFUSCATED_DOT.sub(".", _OBFUSCATED_AT.sub("@", text))


@dataclass(frozen=True, slots=True)
class _Found:
    """What a text holds that structural checks judge, before asking whose it is."""

    hosts: tuple[str, ...]
    emails: tuple[tuple[str, str], ...]  # (address, its domain)
    phones: tuple[str, ...]  # E.164
    addresses: tuple[str, ...]  # lower case
    secret: bool


@lru_cache(maxsize=4096)
def _found(text: str, region: str) -> _Found:
    """Extraction is the costly part and depends on the text alone (and the region phone numbers
    are read in), so it is done once per text; whose each item is, is then cheap to ask."""
    hosts: list[str] = []
    emails: list[tuple[str, str]] = []
    phones: list[str] = []
    addresses: list[str] = []
    for view in views(text):
        linked = _OBFUSCATED_DOT.sub(".", view)
        candidates = [m.group(1) for m in _SCHEME.finditer(linked)]
        for match in _HOST.finditer(linked):
            top = match.group(2)
            if (
                top[:1].isupper()
                and top[1:].islower()
                and linked[match.start() : match.start() + 4].lower() != "www."
            ):
                continue  # "landed.Shop now": two sentences without a space
            candidates.append(match.group(1))
        hosts += [h.split(":")[0].split("@")[-1] for h in candidates]
        view = _deobfuscated(view)
        digits = sum(ch.isdigit() for ch in view)
        if "@" in view:
            emails += [(m.group(0).lower(), m.group(1)) for m in _EMAIL.finditer(view)]
        # No phone number has fewer than six digits and no address none: skip the costly matchers.
        if digits >= _MIN_PHONE_DIGITS:
            for number in phonenumbers.PhoneNumberMatcher(
                view, region, leniency=phonenumbers.Leniency.POSSIBLE
            ):
                if _YEAR_RANGE.fullmatch(number.raw_string.strip()):
                    continue
                possible = sum(ch.isdigit() for ch in number.raw_string) >= _MIN_POSSIBLE_DIGITS
                if possible or phonenumbers.is_valid_number(number.number):
                    phones.append(_format(number.number))
        if digits:
            addresses += [
                m.group(0).lower().rstrip(".")
                for m in (*_STREET_ADDRESS.finditer(view), *_PO_BOX.finditer(view))
            ]
    secret = any(_SECRET_REQUEST.search(view) for view in views(text))
    return _Found(
        hosts=tuple(dict.fromkeys(hosts)),
        emails=tuple(dict.fromkeys(emails)),
        phones=tuple(dict.fromkeys(phones)),
        addresses=tuple(dict.fromkeys(addresses)),
        secret=secret,
    )


def links_outside(text: str, retailer: Retailer) -> list[str]:
    """Hosts the text links to (with or without a scheme) that are not the retailer's."""
    return [host for host in _found(text, retailer.region).hosts if not retailer.allows_host(host)]


def contacts_outside(text: str, retailer: Retailer) -> list[str]:
    """E-mail addresses, phone numbers and street addresses in the text that are not the retailer's,
    each described without quoting it (the finding's reader may be another model)."""
    found = _found(text, retailer.region)
    kinds: list[str] = []
    if any(
        address not in retailer.own_emails and not retailer.allows_host(domain)
        for address, domain in found.emails
    ):
        kinds.append("an e-mail address")
    own_phones = {_e164(p, retailer.region) for p in retailer.phones} - {None}
    if any(phone not in own_phones for phone in found.phones):
        kinds.append("a phone number")
    own_addresses = [a.lower() for a in retailer.addresses]
    if any(not any(address in own for own in own_addresses) for address in found.addresses):
        kinds.append("a street or postal address")
    return kinds


def asks_for_secret(text: str, retailer: Retailer) -> bool:
    return _found(text, retailer.region).secret


def copy_problems(text: str, retailer: Retailer) -> Iterator[CopyProblem]:
    if foreign := links_outside(text, retailer):
        yield CopyProblem(
            "link",
            f"links to {len(foreign)} domain(s) that are not the retailer's ({', '.join(retailer.domains)})",
        )
    if contacts := contacts_outside(text, retailer):
        yield CopyProblem("contact", f"contains {', '.join(contacts)} that is not the retailer's own")
    if asks_for_secret(text, retailer):
        yield CopyProblem(
            "secret", "asks the member for a secret (PIN, password, card or bank details, a code)"
        )
    if hidden_characters(text):
        yield CopyProblem("hidden", "carries invisible format characters (zero-width or direction controls)")


def _format(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _e164(raw: str, region: str) -> str | None:
    try:
        return _format(phonenumbers.parse(raw, region))
    except phonenumbers.NumberParseException:
        return None
