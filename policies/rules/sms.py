"""SMS content: one segment long, and always telling the member how to stop."""

from collections.abc import Iterator

from policies.frame import Frame
from policies.rule_config import SmsLengthRule, SmsOptOutRule
from policies.rules.base import Hit, rows_where
from policies.sms_encoding import SmsEncoding, sms_length
from policies.violation import Fact
from policies.vocabulary import Channel


def sms_length_rule(frame: Frame, config: SmsLengthRule) -> Iterator[Hit]:
    limits = {SmsEncoding.GSM7: config.max_gsm7_chars, SmsEncoding.UCS2: config.max_unicode_chars}
    for row in rows_where(frame.channel == Channel.SMS):
        length = sms_length(frame.text[row])
        if length.units > limits[length.encoding]:
            facts: dict[str, Fact] = {
                "length": length.units,
                "max_length": limits[length.encoding],
                "encoding": str(length.encoding),
            }
            yield Hit(row, facts, "message.body")


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def sms_opt_out_text(frame: Frame, config: SmsOptOutRule) -> Iterator[Hit]:
    required = _normalised(config.required_text)
    for row in rows_where(frame.channel == Channel.SMS):
        if required not in _normalised(frame.text[row]):
            yield Hit(row, {"required_text": config.required_text}, "message.body")
