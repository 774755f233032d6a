"""The grammar customer-controlled names must fit before they may enter copy.

A first name or a product / cart item name is text someone outside the retailer wrote (a member, a
marketplace seller). It reaches another person's message only if it is shaped like what it claims
to be; no list of bad phrases could be complete, so the grammar says what a name *is*:

- a first name: one to three parts of letters from one script, joined by a single space, hyphen
  or apostrophe ("Anne-Marie", "D'Arcy", "Андрей"); no digits, no other punctuation;
- a catalogue name: at most eight words, each letters of one script, or a size, pack or model token
  ("2-in-1", "750ml", "XL", "5.0", "100%"), joined by spaces, hyphens, apostrophes or "&"; at most
  six digits in all (no phone numbers), no sentence punctuation, "@", "/" or ":" (no links, e-mail
  addresses or lists of instructions), and no words addressing a person ("you", "your", "me") —
  a product is not a sentence to its buyer.

Both are read after Unicode NFKC and refused outright if they carry invisible format characters.
"""

import re
import unicodedata

from confusable_homoglyphs import confusables  # type: ignore[import-untyped]

_FIRST_NAME_PART = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_MAX_FIRST_NAME = 30
_MAX_LABEL = 60
_MAX_WORDS = 8
_MAX_DIGITS = 6
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_TOKEN = re.compile(
    r"\d{1,4}(?:\.\d{1,2})?(?:%|ml|l|g|kg|cm|mm|m|oz|pk|pc|pcs|x|st|nd|rd|th)?"  # 750ml, 5.0, 100%, 3pk
    r"|\d?x{0,3}[sml]|x{1,3}l|\d?xl",  # sizes
    re.IGNORECASE,
)
_ADDRESSING = frozenset({"you", "your", "yours", "me", "my", "us", "we", "i"})


def _plain(raw: str) -> str | None:
    text = unicodedata.normalize("NFKC", raw).strip()
    if any(unicodedata.category(char) in ("Cf", "Cc", "Co", "Cs") for char in text):
        return None
    return text


def _one_script(word: str) -> bool:
    return not confusables.is_mixed_script(word)


def first_name(raw: str | None) -> str | None:
    """The member's first name if `raw` is one (its first part, as written), else None."""
    text = _plain(raw) if raw else None
    if not text or len(text) > _MAX_FIRST_NAME:
        return None
    parts = text.split(" ")
    if len(parts) > 3 or not all(_FIRST_NAME_PART.fullmatch(part) and _one_script(part) for part in parts):
        return None
    return parts[0]


def catalogue_name(raw: str | None) -> str | None:
    """`raw` if it is shaped like a catalogue name, else None."""
    text = _plain(raw) if raw else None
    if not text or len(text) > _MAX_LABEL or sum(char.isdigit() for char in text) > _MAX_DIGITS:
        return None
    words = text.split()
    if len(words) > _MAX_WORDS:
        return None
    for word in words:
        if word == "&":
            continue
        for piece in word.split("-"):
            if _WORD.fullmatch(piece):
                if piece.lower() in _ADDRESSING or not _one_script(piece):
                    return None
            elif not _TOKEN.fullmatch(piece):
                return None
    return text
