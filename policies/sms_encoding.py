"""How long a text is as an SMS: GSM-7 where every character allows it, otherwise UCS-2.

Carriers count GSM 03.38 septets, not Python characters: the extension characters take an escape
plus the character (two units), and a single character outside the alphabet (an emoji, a curly
quote) switches the whole message to UCS-2, counted in UTF-16 code units with a lower limit.
"""

from dataclasses import dataclass
from enum import StrEnum

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


class SmsEncoding(StrEnum):
    GSM7 = "GSM-7"
    UCS2 = "UCS-2"


@dataclass(frozen=True, slots=True)
class SmsLength:
    units: int
    encoding: SmsEncoding


def sms_length(text: str) -> SmsLength:
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENSION for char in text):
        return SmsLength(len(text) + sum(char in _GSM7_EXTENSION for char in text), SmsEncoding.GSM7)
    return SmsLength(len(text.encode("utf-16-le")) // 2, SmsEncoding.UCS2)
