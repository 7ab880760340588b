"""Read 年度指标值 (targets) and 实际完成值 (actuals), and compare them.

Targets and actuals are free text typed every way: ``≥95%``, ``$\\geq 95\\%$``, ``不低于90%``,
``95%以上``, ``<10 万元``, ``≤2520元/人``, ``１，０８０人``, ``8月31日前``, ``按时发放``. A text is
read into an operator, one number and a unit (``quantitative``), a date (``deadline``), or nothing
that can be compared (``qualitative``). Nothing is guessed: a text with several numbers (``固话3台，
专网8条``, ``…实际缴费额的2/3``) is qualitative.

Deadlines carry ``value = month * 100 + day`` (``8月31日前`` -> 831) so that two deadlines
compare as numbers; the year is not part of it. ``X月底`` is the month's last day (February: 29
unless a common year is written), ``X月前`` (before the month starts) is ``< X*100``, a bare
``X月`` is the whole month (its last day).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel

from xlperf.limits import MAX_NUMBER_TEXT
from xlperf.values import NULL_TEXTS, readable
from xlperf.vocabulary.project import YUAN

Op = Literal[">=", ">", "<=", "<", "="]
Kind = Literal["quantitative", "deadline", "qualitative", "empty"]
Direction = Literal["more", "less"]

PERCENT_FRACTION_MAX = Decimal("1.5")
"""A unitless number up to this (in absolute value) against a "%" is a fraction: 0.98 is 98%."""


class Target(BaseModel, frozen=True):
    """A target or an actual as read. ``value`` is the number as written (95 for "95%")."""

    text: str
    kind: Kind
    op: Op | None = None
    value: Decimal | None = None
    unit: str | None = None
    direction: Direction | None = None


# --- normalisation -------------------------------------------------------------------------------

_EMPTY = frozenset(t.lower() for t in NULL_TEXTS) | {"—", "–", "―", "-", "---", "/", "无", "nan"}

# Before NFKC, which would turn "m²" and "㎡" into "m2" (a second number).
_PRE_NFKC = (
    ("km²", "平方公里"),
    ("㎢", "平方公里"),
    ("m²", "平方米"),
    ("㎡", "平方米"),
    ("m³", "立方米"),
    ("㎥", "立方米"),
)
# Circled and parenthesised enumerators (①, ⑴, ⒈): NFKC would make them numbers.
_ENUM_CHARS = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")

_LATEX_SUBS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"\1/\2"),
        (r"k?m\^\{?2\}?", "平方米"),
        (r"m\^\{?3\}?", "立方米"),
        (r"\\(?:left|right)(?![a-zA-Z])", ""),
        (r"\\(?:geqslant|geq|ge)(?![a-zA-Z])", "≥"),
        (r"\\(?:leqslant|leq|le)(?![a-zA-Z])", "≤"),
        (r"\\gt(?![a-zA-Z])", ">"),
        (r"\\lt(?![a-zA-Z])", "<"),
        (r"\\times(?![a-zA-Z])", "×"),
        (r"\\cdot(?![a-zA-Z])", "·"),
        (r"\\sim(?![a-zA-Z])", "~"),
        (r"\\%", "%"),
        (r"\\[a-zA-Z]+", ""),  # \text, \mathrm, \rm and any other command: keep its argument
        (r"\\.?", ""),  # spacing (\, \; \!), line breaks, a stray backslash
        (r"[${}]", ""),
    )
)

_SYMBOLS = str.maketrans(
    {
        "≧": "≥",
        "⩾": "≥",
        "≮": "≥",
        "≦": "≤",
        "═": "=",
        "〓": "=",
        "⩽": "≤",
        "≯": "≤",
        "−": "-",
        "–": "-",
        "〜": "~",
        "～": "~",
        "：": ":",
    }
)
_SYMBOL_SUBS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"≥=|>=|=>", "≥"),
        (r"≤=|<=|=<", "≤"),
        (r"=+", "="),
        (r"[(\[]含[)\]]", ""),  # "95%（含）以上"
        (r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))", ""),  # thousands separators
    )
)
_SPACE = re.compile(r"\s+")
_LEADING_ENUM = re.compile(r"^(?:\(?[0-9]{1,2}\)|[0-9]{1,2}[.、](?![0-9]))(?=\D)")


def normalise(text: str) -> str:
    """Fold a target text: NFKC, no LaTeX, no whitespace, one spelling per operator.

    ``≥`` and ``≤`` stand for ``>=`` and ``<=`` in the result; thousands separators are dropped.
    """
    for old, new in _PRE_NFKC:
        text = text.replace(old, new)
    text = _ENUM_CHARS.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    for pattern, repl in _LATEX_SUBS:
        text = pattern.sub(repl, text)
    text = _SPACE.sub("", text).translate(_SYMBOLS)
    for pattern, repl in _SYMBOL_SUBS:
        text = pattern.sub(repl, text)
    return _LEADING_ENUM.sub("", text)


# --- operators -----------------------------------------------------------------------------------

_NEG = "不[得应能宜可会]?"
_PREFIX_OPS = re.compile(
    "|".join(
        f"(?P<{name}>{pattern})"
        for name, pattern in (
            ("ge", rf"大于或?等于|{_NEG}(?:低于|少于|小于)|至少|最少|≥"),
            ("le", rf"小于或?等于|{_NEG}(?:高于|超过|超出|大于|多于)|至多|最多|控制在|≤"),
            ("gt", r"大于|高于|超过|超出|多于|>"),
            ("lt", r"小于|低于|少于|不足|不到|<"),
            ("eq", r"等于|="),
        )
    )
)
_SUFFIX_OPS = re.compile(r"(?:及|或|和)?(?:(?P<ge>以上|之上)|(?P<le>以下|之下|以内|之内|内))")
_OP_OF_GROUP: dict[str, Op] = {"ge": ">=", "le": "<=", "gt": ">", "lt": "<", "eq": "="}


def _direction(op: Op | None, less_is_better: bool) -> Direction:
    if op in (">=", ">"):
        return "more"
    if op in ("<=", "<"):
        return "less"
    return "less" if less_is_better else "more"


# --- units ---------------------------------------------------------------------------------------

_SPECIAL_UNITS = {"个百分点": "百分点", "百分点": "百分点", "%": "%", "‰": "‰"}
_MULTIPLIERS = {"百万": 6, "千万": 7, "十万": 5, "万": 4, "千": 3, "亿": 8}
_BASE_WORDS = """元 人次 人 户 名 家 位 次 场 个 项 件 台 套 所 条 篇 期 批次 批 份 册 本 座 辆 张 块 处 起
    例 宗 笔 班 轮 部 栋 间 村 岗 棵 株 头 只 门 节 页 年 个月 月 周 天 日 个工作日 工作日 小时 学时
    课时 分钟 秒 平方米 平方公里 立方米 公里 米 亩 公顷 吨 千克 公斤 克 分"""
_BASES = sorted(_BASE_WORDS.split(), key=len, reverse=True)  # measure words, longest first
_BASE_NAMES = {"个工作日": "工作日"}
_BASE_FAMILY: dict[str, tuple[str, int]] = {
    "名": ("人", 0),
    "位": ("人", 0),
    "日": ("天", 0),
    "月": ("个月", 0),
    "公斤": ("克", 3),
    "公里": ("米", 3),
}
# Characters that follow a number without being its unit (words, approximations, op suffixes).
_NOT_UNIT = set("以及或之内前后左右的多余约和与为是且并等完达至不每第")
_APPROX = ("余", "多")  # "100余人", "1万多元": more than the number
_TAIL_SEPARATORS = ("/", "每", "·")


def _base_at(text: str, i: int) -> str | None:
    return next((b for b in _BASES if text.startswith(b, i)), None)


def _read_unit(text: str) -> tuple[str | None, bool, int]:
    """The unit at the start of ``text`` (normalised), whether "余/多" was written, chars used."""
    for written, unit in _SPECIAL_UNITS.items():
        if text.startswith(written):
            return unit, False, len(written)
    i, approx = 0, False
    if text.startswith(_APPROX, i):
        i, approx = i + 1, True
    mult = next((m for m in _MULTIPLIERS if text.startswith(m, i)), None)
    if mult:
        i += len(mult)
        if text.startswith(_APPROX, i):
            i, approx = i + 1, True
    base = _base_at(text, i)
    if base is None and i < len(text) and _is_cjk(text[i]) and text[i] not in _NOT_UNIT:
        base = text[i]  # an unlisted measure word: "3栋"-like, taken as its own unit
    if base is None:
        return mult, approx, i
    i += len(base)
    unit = (mult or "") + _BASE_NAMES.get(base, base)
    while i < len(text) and text.startswith(_TAIL_SEPARATORS, i):
        tail = _base_at(text, i + 1)
        if tail is None:
            break
        unit += "/" + _BASE_NAMES.get(tail, tail)
        i += 1 + len(tail)
    return unit, approx, i


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def unit_key(unit: str | None) -> tuple[str, int] | None:
    """(family, power of ten) of a normalised unit: "万元/人" -> ("元/人", 4), "‰" -> ("%", -1).

    Units of one family convert exactly by powers of ten; None for no unit.
    """
    if unit is None:
        return None
    if unit == "%":
        return "%", 0
    if unit == "‰":
        return "%", -1
    head, *tails = unit.split("/")
    mult = next((m for m in _MULTIPLIERS if head.startswith(m) and head != m), "")
    base = head[len(mult) :]
    family, power = _BASE_FAMILY.get(base, (base, 0))
    family = "/".join([family, *(_BASE_FAMILY.get(t, (t, 0))[0] for t in tails)])
    return family, power + _MULTIPLIERS.get(mult, 0)


# --- numbers and dates ---------------------------------------------------------------------------

_NUMBER_TOKEN = re.compile(r"\.?[0-9]+(?:\.[0-9]+)*")
_YEAR_REF = re.compile(r"(?:19|20)[0-9]{2}年度?")
_MINUS_AFTER = set("≥≤<>=:(~为是")

_DATE = re.compile(
    r"(?<![0-9.])(?:"
    r"(?:(?P<y1>[0-9]{4})年)?(?P<m1>[0-9]{1,2})月份?(?:(?P<d1>[0-9]{1,2})[日号]?|(?P<end1>[底末]))?"
    r"|(?P<y2>[0-9]{4})[-./](?P<m2>[0-9]{1,2})[-./](?P<d2>[0-9]{1,2})(?![0-9])"
    r"|(?:(?P<y3>[0-9]{4})年|年)(?:底|末|终)"
    r"|(?P<m4>[0-9]{1,2})\.(?P<d4>[0-9]{1,2})日?(?=之前|以前|前)"
    r")(?P<before>之前|以前|前)?(?P<after>之后|以后|后)?"
)
_DEADLINE_PREFIX = re.compile(r"截至|截止|不晚于|不迟于")


def deadline_value(month: int, day: int) -> Decimal:
    """The number a deadline carries: month * 100 + day (day 0: before the month starts)."""
    return Decimal(month * 100 + day)


_NOT_A_DATE = "not a date"


def _read_deadline(s: str) -> tuple[Op | None, Decimal] | str | None:
    """(op, month*100+day) when ``s`` names one date and no other number.

    None when ``s`` is no date; ``_NOT_A_DATE`` when it is written as one but is not a valid
    deadline ("13月前", "8月31日以后").
    """
    matches = list(_DATE.finditer(s))
    if len(matches) != 1:
        return None
    m = matches[0]
    rest = s[: m.start()] + s[m.end() :]
    if any(ch.isdigit() for ch in rest):
        return None
    if m.group("after"):
        return _NOT_A_DATE
    year = next((int(m.group(g)) for g in ("y1", "y2", "y3") if m.group(g)), 2000)  # leap
    month_text = m.group("m1") or m.group("m2") or m.group("m4")
    month = int(month_text) if month_text else 12
    if not 1 <= month <= 12:
        return _NOT_A_DATE
    last = calendar.monthrange(2000 if calendar.isleap(year) else 2001, month)[1]
    day_text = m.group("d1") or m.group("d2") or m.group("d4")
    if day_text:
        day = int(day_text)
        if not 1 <= day <= last:
            return _NOT_A_DATE
    else:
        day = last  # "X月底", "年底", and a bare "X月": the whole month
    before = bool(m.group("before")) or bool(_DEADLINE_PREFIX.search(s[: m.start()]))
    bare_month = month_text is not None and not day_text and not m.group("end1")
    if bare_month and m.group("before"):
        return "<", deadline_value(month, 0)  # "8月前": before August starts
    return ("<=" if before else None), deadline_value(month, day)


def _numbers(s: str) -> list[re.Match[str]] | None:
    """The number tokens of ``s`` without year references; None when one is not a number."""
    tokens = list(_NUMBER_TOKEN.finditer(s))
    if any(t.group().count(".") > 1 for t in tokens):
        return None
    if len(tokens) > 1:
        years = {m.start() for m in _YEAR_REF.finditer(s)}
        tokens = [t for t in tokens if t.start() not in years]
    return tokens


# --- parsing -------------------------------------------------------------------------------------


def _as_text(raw: object) -> str:
    if raw is None:
        return ""
    return raw if isinstance(raw, str) else str(raw)


def parse_target(
    raw: str | int | float | Decimal | None, *, less_is_better: bool = False
) -> Target:
    """Read a target or an actual.

    ``less_is_better`` is the direction when no operator is written (the engine passes True for
    成本指标): ``>=``/``>`` mean more is better, ``<=``/``<`` less; no operator or ``=``: "less"
    if ``less_is_better`` else "more". Deadlines (``8月31日前``) are kind "deadline", direction
    "less". ``None``, ``''``, ``—``, ``-``, ``/``, ``无`` are kind "empty". Never raises.
    """
    text = _as_text(raw)
    default = "less" if less_is_better else "more"
    if isinstance(raw, bool):
        return Target(text=text, kind="qualitative")
    if isinstance(raw, int | float | Decimal):
        return _parse_numeric(raw, text, default)
    return _parse_text(text, less_is_better)


@lru_cache(maxsize=4096)
def _parse_text(text: str, less_is_better: bool) -> Target:
    """:func:`parse_target` of a text (cached: the same targets recur on every form, and a
    worksheet function is called with the same text on every recalculation)."""
    s = normalise(text)
    if s.lower() in _EMPTY or not s:
        return Target(text=text, kind="empty")
    deadline = _read_deadline(s)
    if deadline == _NOT_A_DATE:
        return Target(text=text, kind="qualitative")
    if isinstance(deadline, tuple):
        op, value = deadline
        return Target(text=text, kind="deadline", op=op, value=value, direction="less")
    return _parse_quantity(s, text, less_is_better)


def _parse_numeric(raw: int | float | Decimal, text: str, default: Direction) -> Target:
    try:
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    except (InvalidOperation, ValueError):  # pragma: no cover - every int/float/Decimal converts
        return Target(text=text, kind="qualitative")
    if value.is_nan():  # pandas reads an empty cell as NaN
        return Target(text=text, kind="empty")
    if not readable(value):  # inf, 1e300: not a figure a score can be computed from
        return Target(text=text, kind="qualitative")
    return Target(text=text, kind="quantitative", value=value, direction=default)


def _parse_quantity(s: str, text: str, less_is_better: bool) -> Target:
    qualitative = Target(text=text, kind="qualitative")
    tokens = _numbers(s)
    if tokens is None or len(tokens) != 1:
        return qualitative
    token = tokens[0]
    start, number = token.start(), token.group()
    if start > 0 and s[start - 1] == "-" and (start == 1 or s[start - 2] in _MINUS_AFTER):
        start, number = start - 1, "-" + number
    if len(number) > MAX_NUMBER_TEXT or not readable(value := Decimal(number)):
        return qualitative  # 5000 digits, 1e-40: not a figure a score can be computed from
    unit, approx, used = _read_unit(s[token.end() :])
    rest = s[token.end() + used :]
    prefix = s[:start]
    if unit is None and prefix.endswith("¥"):
        unit = YUAN
    op: Op | None = None
    suffix = _SUFFIX_OPS.match(rest)
    if suffix:
        op = _OP_OF_GROUP[suffix.lastgroup or ""]
    else:
        found = list(_PREFIX_OPS.finditer(prefix))
        if found:
            op = _OP_OF_GROUP[found[-1].lastgroup or ""]
        elif approx:
            op = ">"
    return Target(
        text=text,
        kind="quantitative",
        op=op,
        value=value,
        unit=unit,
        direction=_direction(op, less_is_better),
    )


# --- comparison ----------------------------------------------------------------------------------


def _unitless_in(value: Decimal, unit: str) -> Decimal:
    """A number written without a unit, read in ``unit`` (a fraction if ``unit`` is "%")."""
    if unit == "%" and abs(value) <= PERCENT_FRACTION_MAX:
        return value.scaleb(2)  # 0.98 is 98%
    return value


def comparable(target: Target, actual: Target) -> tuple[Decimal, Decimal] | None:
    """(target, actual) as numbers in one unit, or None when they cannot be compared.

    Both must be quantitative, or both deadlines. Units of one family convert exactly, into the
    finer of the two (元, 千元, 万元, 亿元 with equal "/人"-like suffixes; "%" and "‰"; 人 and 名),
    so ``comparable(a, b)`` is ``comparable(b, a)`` reversed. A side without a unit is taken in
    the other side's unit, except that a unitless number of at most 1.5 (in absolute value)
    against "%" is a fraction (0.98 -> 98).
    """
    t, a = target.value, actual.value
    if t is None or a is None:
        return None
    if target.kind == actual.kind == "deadline":
        return t, a
    if not target.kind == actual.kind == "quantitative":
        return None
    tu, au = target.unit, actual.unit
    if tu == au:
        return t, a
    if au is None and tu is not None:
        return t, _unitless_in(a, tu)
    if tu is None and au is not None:
        return _unitless_in(t, au), a
    tk, ak = unit_key(tu), unit_key(au)
    if tk is None or ak is None or tk[0] != ak[0]:
        return None
    power = min(tk[1], ak[1])
    return t.scaleb(tk[1] - power), a.scaleb(ak[1] - power)


def is_reached(target: Target, actual: Target) -> bool | None:
    """Whether the actual meets the target; None when they cannot be compared.

    ``>`` and ``<`` are strict, ``>=`` and ``<=`` inclusive, ``=`` or no operator follow the
    target's direction (inclusive). An actual written with a strict operator (``<10万元`` copied
    from the target) is a bound: just past its number in the good direction, just short of it in
    the other; so a target copied into the actual is reached.
    """
    pair = comparable(target, actual)
    if pair is None:
        return None
    goal, done = pair
    more = target.direction != "less" if target.op in (None, "=") else target.op in (">=", ">")
    strict = target.op in (">", "<")
    if actual.op == (">" if more else "<"):
        strict = False  # just past its number, in the good direction
    elif actual.op == ("<" if more else ">"):
        strict = True  # just short of its number
    if more:
        return done > goal if strict else done >= goal
    return done < goal if strict else done <= goal
