"""What every 评分标准 reader shares: normalised text, number patterns, the phrases set aside."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from xlperf.criteria.decimals import HUNDRED
from xlperf.criteria.model import CIRCLED

_DROP = str.maketrans("", "", "“”‘’\"'「」『』")
NUM = r"[-+]?\d+(?:\.\d+)?"
UNUM = r"\d+(?:\.\d+)?"


class Unparsed(Exception):
    """The text cannot be read as a rule; the message (Chinese) says why."""


def drop_bookmarks(text: str) -> str:
    """The text without the ``[bookmark:…]`` anchors a Word export leaves in it."""
    return re.sub(r"\[bookmark:[^\]]*\]", "", text)


def normalise(text: str) -> str:
    """One spelling for matching: no bookmarks, ① markers as ``;``, NFKC, no quotes or spaces."""
    text = re.sub(f"[{CIRCLED}]", ";", drop_bookmarks(text))
    text = unicodedata.normalize("NFKC", text).translate(_DROP)
    for a, b in (("≦", "≤"), ("≧", "≥"), ("﹤", "<"), ("﹥", ">"), ("－", "-"), ("＝", "=")):
        text = text.replace(a, b)
    return re.sub(r"\s+", "", text)


def read_number(number: str, percent: bool) -> Decimal:
    """A number as written, a fraction when it carried a ``%``."""
    d = Decimal(number)
    return d / HUNDRED if percent else d


# phrases read apart from the condition → outcome cases
FORMULA_RE = re.compile(r"[^。;,]*?(?:率|度)=\([^)]*\)×100%[。;,]?")
SCORE_FORMULA_RE = re.compile(r"(?:该指标)?得分=[^;。]*")
STANDARD_RE = re.compile(rf"以[^;。,]*?({UNUM})(%)?为标准[^;。,]*[;。,]?")
REPEAT_RE = re.compile(rf"每(?:一)?个?(季度|月|半年|年度|项)(?:的)?分值(?:为)?({UNUM})分")
TOTAL_RE = re.compile(rf"总分(?:值)?(?:为)?({UNUM})分")
