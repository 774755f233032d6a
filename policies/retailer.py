"""Who the retailer is, as far as its copy goes: where it links, how it is reached, what it speaks.

The structural copy checks (`policies.copy_checks`) allow exactly these and nothing else: a link
to any other domain, or any e-mail address, phone number or street address that is not the
retailer's own, is someone else's and never belongs in a member's message.
"""

from functools import cached_property

import idna
from pydantic import BaseModel, ConfigDict, Field, field_validator

from policies.sensitive import languages

_DEFAULT_DOMAINS = ("retailer.example",)


def idna_host(host: str) -> str | None:
    """`host` as its lower-case ASCII (punycode) form, or None when it is not a valid host name.
    UTS #46 mapping first, as browsers do, so a look-alike spelled in another script never
    compares equal to the retailer's ASCII domain."""
    try:
        return idna.encode(host.strip().rstrip(".").lower(), uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


class Retailer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(default="the retailer", max_length=80)
    # Registrable domains the copy may link to; their subdomains are allowed too.
    domains: tuple[str, ...] = Field(default=_DEFAULT_DOMAINS, min_length=1, max_length=20)
    emails: tuple[str, ...] = Field(default=(), max_length=20)  # the retailer's own contact addresses
    phones: tuple[str, ...] = Field(default=(), max_length=20)  # its own numbers, any common format
    addresses: tuple[str, ...] = Field(default=(), max_length=200)  # its stores' street addresses
    region: str = Field(default="AU", min_length=2, max_length=2)  # how local phone numbers are read
    languages: tuple[str, ...] = Field(default=("en",), min_length=1, max_length=10)  # ISO 639-1

    @field_validator("domains")
    @classmethod
    def _valid_domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        encoded = tuple(idna_host(d) for d in domains)
        if None in encoded:
            raise ValueError(f"not a valid domain among {list(domains)}")
        return tuple(d for d in encoded if d is not None)

    @field_validator("languages")
    @classmethod
    def _languages_have_vocabulary(cls, configured: tuple[str, ...]) -> tuple[str, ...]:
        # A language without sensitive-topic terms would be judged by nothing; refuse it at load.
        known = languages()
        if missing := sorted(set(configured) - known):
            raise ValueError(
                f"no sensitive-topic vocabulary for {missing}; known: {sorted(known)} "
                "(add terms to policies/sensitive_topics.toml)"
            )
        return configured

    @cached_property
    def own_emails(self) -> frozenset[str]:
        return frozenset(e.strip().lower() for e in self.emails)

    def allows_host(self, host: str) -> bool:
        encoded = idna_host(host)
        return encoded is not None and any(encoded == d or encoded.endswith("." + d) for d in self.domains)


DEFAULT_RETAILER = Retailer()
