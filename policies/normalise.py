"""Text as the judgement reads it: every way a piece of text can say something, made plain.

A pattern list judges the letters it is given. Text that hides its meaning from it — look-alike
letters from another script (Cyrillic "а" for Latin "a"), compatibility forms (full-width
"ｉｇｎｏｒｅ", ligatures), invisible format characters splitting a word ("ig\u200bnore"), or a run
encoded as base64, hex or percent-escapes — must be read the way a person or a model would read
it. `views` gives every reading worth judging:

1. the text after Unicode NFKC with format (Cf) characters removed — what is displayed;
2. its confusable skeleton (Unicode TR39): every character that has an ASCII look-alike in the
   Unicode confusables data (`confusable_homoglyphs`, which ships the consortium's
   confusables.txt) replaced by it, so mixed-script spellings match the patterns;
3. each encoded run decoded, when it decodes to readable text (and that text's skeleton).

A finding on any view is a finding on the field. The views are judged, never sent: the member
receives the copy as written (and copy with hidden characters or encoded runs is suspect anyway).
"""

import base64
import binascii
import re
import unicodedata
from functools import lru_cache
from urllib.parse import unquote

from confusable_homoglyphs.confusables import confusables_data  # type: ignore[import-untyped]

# Runs long enough to carry a sentence; shorter ones are codes, SKUs and hashes in passing.
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{16,}={0,2}(?![A-Za-z0-9+/=_-])")
_HEX_RUN = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}[\s:]?){8,}(?![0-9A-Fa-f])")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_MIN_READABLE = 0.85  # share of printable characters a decoded run needs to count as text
_MAX_RUNS = 8  # per text: bounds the work an adversary can ask for


def _is_format(char: str) -> bool:
    return unicodedata.category(char) == "Cf"


@lru_cache(maxsize=1)
def _skeleton_table() -> dict[int, str]:
    """Non-ASCII character → the ASCII look-alike the confusables data names for it."""
    table: dict[int, str] = {}
    for char, entry in confusables_data.items():
        if len(char) != 1 or char.isascii():
            continue
        targets = [glyph["c"] for glyph in entry if glyph["c"].isascii() and glyph["c"].strip()]
        if not targets:
            continue
        # Prefer a single letter or digit over punctuation and multi-letter renderings ("rn").
        targets.sort(key=lambda t: (len(t) != 1, not t.isalnum(), not t.islower(), t))
        table[ord(char)] = targets[0]
    return table


def plain(text: str) -> str:
    """NFKC with format characters (zero-width spaces and joiners, bidi controls, soft hyphens) removed."""
    folded = unicodedata.normalize("NFKC", text)
    if folded.isascii():
        return folded
    return "".join(char for char in folded if not _is_format(char))


def skeleton(text: str) -> str:
    """The text with every character that has an ASCII look-alike replaced by it (TR39 skeleton
    towards Latin); ASCII is left as it is."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text.translate(_skeleton_table()))


def _readable(decoded: str) -> bool:
    if len(decoded) < 6:
        return False
    printable = sum(1 for char in decoded if char.isprintable() or char in "\n\t")
    letters = sum(1 for char in decoded if char.isalpha())
    return printable / len(decoded) >= _MIN_READABLE and letters >= len(decoded) / 3


def _decode_bytes(raw: bytes) -> str | None:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return decoded if _readable(decoded) else None


def decoded_runs(text: str) -> list[str]:
    """Readable text hidden in base64, hex or percent-encoded runs of `text`."""
    found: list[str] = []
    for match in _BASE64_RUN.finditer(text):
        run = match.group(0)
        if run.isalpha() and (run.islower() or run.isupper()):
            continue  # a long plain word, not an encoding
        padded = run + "=" * (-len(run) % 4)
        for decode in (base64.b64decode, base64.urlsafe_b64decode):
            try:
                raw = decode(
                    padded.replace("-", "+").replace("_", "/") if decode is base64.b64decode else padded
                )
            except (binascii.Error, ValueError):
                continue
            if (decoded := _decode_bytes(raw)) is not None:
                found.append(decoded)
                break
    for match in _HEX_RUN.finditer(text):
        digits = re.sub(r"[\s:]", "", match.group(0))
        if len(digits) % 2 == 0 and (decoded := _decode_bytes(bytes.fromhex(digits))) is not None:
            found.append(decoded)
    if len(_PERCENT_ESCAPE.findall(text)) >= 3:
        decoded = unquote(text)
        if _readable(decoded):
            found.append(decoded)
    return found[:_MAX_RUNS]


@lru_cache(maxsize=8192)
def views(text: str) -> tuple[str, ...]:
    """Every reading of `text` to judge: displayed, skeleton, and any decoded runs (each with its
    own skeleton). The first view is always the displayed text."""
    shown = plain(text)
    readings = [shown]
    if not text.isascii() and any(_is_format(char) for char in text):
        # A format character may stand between words ("Sam\u200bignore"): read it as a space too.
        readings.append(plain("".join(" " if _is_format(char) else char for char in text)))
    if not shown.isascii():
        readings.append(skeleton(shown))
    for decoded in decoded_runs(shown):
        shown_decoded = plain(decoded)
        readings.append(shown_decoded)
        if not shown_decoded.isascii():
            readings.append(skeleton(shown_decoded))
    return tuple(dict.fromkeys(readings))


def hidden_characters(text: str) -> bool:
    """Whether `text` carries invisible format characters (zero-width, bidi controls): copy has no
    use for them, customer text uses them to split words past a filter."""
    return not text.isascii() and any(_is_format(char) for char in text)
