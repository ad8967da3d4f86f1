"""De-identification (去标识化): the ONE masking scheme and the privacy scan for every output.

Owns:
- the masks — `mask_id_number` (first 6 + last 4), `mask_phone` (138****5678),
  `mask_bank_account` (**** 1234), `mask_name` ("full" or 姓*末字). Exactly one
  mask per kind of number, because different masks of the same number on
  different outputs can be combined into the whole number;
- what each audience sees of a catalogue column (`present_value`, `public_row`):
  PUBLIC (posters, kiosk) drops non-public columns and never shows any part of
  an ID, phone or bank number; SEMI_PUBLIC (明白卡, masked exports) masks them;
  INTERNAL (clerk screens) sees everything;
- `generalize_reason`: a 临时救助 事由 in general words, never a diagnosis;
- `scan_text` / `scan_blocks` / `assert_publishable`: the last check before
  anything public is printed or shown. Supervision hotlines (landlines, 12345),
  money amounts, dates and times are not findings.

Pure Python (re, unicodedata); no database, no Qt.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import lru_cache

from zwgk_desktop.core.catalogue import CatalogEntry, Column
from zwgk_desktop.errors import InvalidInput, ZwgkError

# --------------------------------------------------------------------------
# Audiences and name policies
# --------------------------------------------------------------------------


class Audience(str, Enum):
    """Who will read an output; decides how much of each column they see."""

    PUBLIC = "public"  # posters, public kiosk screen
    SEMI_PUBLIC = "semi_public"  # 明白卡, internal exports with masking, sync logs
    INTERNAL = "internal"  # clerk screens, full data


NAME_FULL = "full"
NAME_SURNAME_LAST = "surname_last"
NAME_POLICIES = (NAME_FULL, NAME_SURNAME_LAST)

# Two-character surnames kept whole by 姓*末字 masking (欧阳娜娜 → 欧阳*娜).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 夏侯 令狐 司徒 司空 端木 长孙 宇文 轩辕 "
    "独孤 南宫 西门 澹台 公冶 宗政 濮阳 太史 申屠 钟离 闻人 万俟 赫连 呼延 百里 东郭 拓跋 "
    "完颜 单于 淳于 仲孙 叔孙 鲜于 闾丘 亓官 司寇 巫马 公良 乐正 壤驷 漆雕 梁丘 左丘 谷梁".split()
)

MASK_CHAR = "*"
PUBLIC_HIDDEN = "（已隐去）"
_NAME_SEPARATORS = frozenset("·•・‧．.")

# --------------------------------------------------------------------------
# Masks (one scheme per kind of number)
# --------------------------------------------------------------------------


_NOT_DIGIT_OR_X = re.compile(r"[^0-9Xx]+")


def _digits_and_x(value: object) -> str:
    """The ASCII digits and X/x of a value (after NFKC, so full-width digits count), X upper-cased."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _NOT_DIGIT_OR_X.sub("", text).upper()


def mask_id_number(id_number: object) -> str:
    """First 6 + last 4 characters with '*' between (semi-public outputs only).

    A value too short to hide anything that way is masked completely.
    """
    chars = _digits_and_x(id_number)
    if len(chars) <= 10:
        return MASK_CHAR * len(chars)
    return chars[:6] + MASK_CHAR * (len(chars) - 10) + chars[-4:]


def _strip_country_code(digits: str) -> str:
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11 and digits[len(prefix)] == "1":
            return digits[len(prefix):]
    return digits


def mask_phone(phone: object) -> str:
    """138****5678 for a mobile; other numbers keep only their last 4 digits."""
    digits = _strip_country_code("".join(ch for ch in _digits_and_x(phone) if ch.isdigit()))
    if len(digits) <= 4:
        return MASK_CHAR * len(digits)
    if _is_mobile(digits):
        return digits[:3] + MASK_CHAR * 4 + digits[-4:]
    return MASK_CHAR * (len(digits) - 4) + digits[-4:]


def mask_bank_account(account: object) -> str:
    """'**** 1234': the last 4 digits only, and the length hidden too."""
    digits = "".join(ch for ch in _digits_and_x(account) if ch.isdigit())
    if len(digits) < 4:
        return MASK_CHAR * 4
    return f"{MASK_CHAR * 4} {digits[-4:]}"


def _is_joining_mark(ch: str) -> bool:
    code = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0xE0100 <= code <= 0xE01EF  # ideographic variation selectors (IVS)
        or ch == "\u200d"
    )


def name_characters(name: str) -> list[str]:
    """The characters of a name as a reader counts them: by code point (𠮷 is one),
    with variation selectors and combining marks kept on their base character."""
    clusters: list[str] = []
    for ch in name:
        if clusters and _is_joining_mark(ch):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _surname_length(chars: list[str]) -> int:
    if len(chars) >= 3 and "".join(chars[:2]) in COMPOUND_SURNAMES:
        return 2
    return 1


def _mask_separated_name(chars: list[str]) -> str:
    """阿依古丽·买买提 → 阿***·**提: first and last character, separators kept."""
    last = len(chars) - 1
    return "".join(
        ch if i in (0, last) or ch in _NAME_SEPARATORS else MASK_CHAR for i, ch in enumerate(chars)
    )


def mask_name(name: object, policy: str = NAME_FULL) -> str:
    """A person's name under a county's policy: "full", or 姓*末字 ("surname_last").

    张三 → 张*, 张三丰 → 张*丰, 王李小明 → 王**明; compound surnames stay whole:
    欧阳娜娜 → 欧阳*娜, 欧阳娜 → 欧阳*. Rare characters (𠮷, 𡒄) are kept exactly.
    """
    if policy not in NAME_POLICIES:
        raise InvalidInput(
            f"未知的姓名公开方式“{policy}”，可选：full（全名）、surname_last（姓*末字）。",
            detail={"policy": policy},
        )
    text = "" if name is None else str(name).strip()
    if policy == NAME_FULL or not text:
        return text
    chars = name_characters("".join(text.split()))  # roster padding: 张　三 → 张三
    if any(ch in _NAME_SEPARATORS for ch in chars):
        return _mask_separated_name(chars)
    if len(chars) == 1:
        return chars[0]
    surname = _surname_length(chars)
    given = chars[surname:]
    if len(given) == 1:
        return "".join(chars[:surname]) + MASK_CHAR
    return "".join(chars[:surname]) + MASK_CHAR * (len(given) - 1) + given[-1]


# --------------------------------------------------------------------------
# The privacy scan
# --------------------------------------------------------------------------

KIND_ID_NUMBER = "id_number"
KIND_PHONE = "phone"
KIND_BANK_ACCOUNT = "bank_account"
KIND_ADDRESS = "address"
KIND_HEALTH = "health"

_KIND_MESSAGES = {
    KIND_ID_NUMBER: "疑似身份证号码“{excerpt}”：公开内容不得出现身份证号码的任何部分，请删除。",
    KIND_PHONE: "疑似个人手机号码“{excerpt}”：公开内容不得出现个人电话，请删除（监督举报电话请使用固定电话或在设置中登记）。",
    KIND_BANK_ACCOUNT: "疑似银行账号“{excerpt}”：公开内容不得出现银行账号，请删除。",
    KIND_ADDRESS: "疑似门牌地址“{excerpt}”：公开内容只写到村（组），不写门牌号，请删除。",
    KIND_HEALTH: "含疾病或残疾信息“{excerpt}”：公开内容不得写病名、残疾类别或等级，请改为概括说法（如“突发重大疾病”“因病致困”）。",
}


@dataclass(frozen=True)
class Finding:
    """One piece of private data found in text meant for the public."""

    kind: str  # id_number | phone | bank_account | address | health
    text_excerpt_masked: str
    location: str
    message_zh: str
    start: int = -1
    end: int = -1


class PrivacyLeak(ZwgkError):
    """Text meant for the public still contains private data; nothing was published."""

    code = "privacy_leak"

    def __init__(self, findings: list[Finding], max_listed: int = 10):
        self.findings = list(findings)
        listed = "；".join(_describe_finding(f).rstrip("。") for f in self.findings[:max_listed])
        more = f"（共{len(self.findings)}处，仅列出前{max_listed}处）" if len(self.findings) > max_listed else ""
        message = (
            f"发现{len(self.findings)}处可能泄露个人隐私的内容，不能公开发布：{listed}{more}。"
            "请修改后重新审核。"
        )
        detail = {
            "findings": [
                {"kind": f.kind, "excerpt": f.text_excerpt_masked, "location": f.location, "message": f.message_zh}
                for f in self.findings
            ]
        }
        super().__init__(message, detail=detail)


def _describe_finding(finding: Finding) -> str:
    return f"{finding.location}：{finding.message_zh}" if finding.location else finding.message_zh


# Length-preserving folding so spans found in the folded text fit the original.
_FOLD = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x", "\u3000": " ", "－": "-", "\u00a0": " "}
)

_SEPARATORS = " -"
_TOKEN = re.compile(r"(?<!\d)\d+(?:[Xx](?![A-Za-z]))?")
_SCIENTIFIC_ID = re.compile(r"(?<![\d.])\d\.\d{2,14}[Ee]\+?1[5-8](?!\d)")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{18}(?![0-9A-Z])")
_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Group layouts people write numbers in: 341122 19900101 123X, 138 1234 5678, 6222 0212 ...
_ID_LAYOUTS = ((6, 8, 4), (6, 4, 4, 4), (3, 3, 4, 4, 4))
_PHONE_LAYOUTS = ((3, 4, 4),)
_BANK_GROUP = 4

_NUMERAL = r"[0-9零〇一二三四五六七八九十百]+"
_ADDRESS_PATTERNS = (
    re.compile(r"[\u4e00-\u9fff]{1,6}?(?:大街|大道|胡同|路|街|巷|弄|里)" + _NUMERAL + r"(?:-\d+)?号(?:院|楼)?"),
    re.compile(r"(?:村|组|社区|庄|屯|寨|湾)" + _NUMERAL + r"(?:-\d+)?号(?:院|楼)?"),
    re.compile(r"\d+(?:栋|幢|号楼|座)(?:\d+单元)?\d+室"),
    re.compile(r"\d+(?:栋|幢|号楼|座)\d+单元(?:\d+室?)?|\d+单元\d+室?"),
    re.compile(r"(?<![\d室])\d{3,4}室"),
    re.compile(r"门牌(?:号码|号)?[：:\s]*[^\s，。；,;、]{0,10}?\d+号?"),
)

# Standard policy names that mention disability but disclose nothing about a person.
_POLICY_PHRASES = re.compile(r"困难残疾人生活补贴|重度残疾人护理补贴|残疾人两项补贴|残疾人联合会|残联|世界艾滋病日")

DISEASE_WORDS_MAJOR = (
    "癌", "肿瘤", "白血病", "尿毒症", "肾衰竭", "肾衰", "透析", "脑梗", "脑出血", "心梗", "心肌梗",
    "中风", "偏瘫", "瘫痪", "截肢", "植物人", "再生障碍性贫血", "血友病", "重症", "器官移植",
)
DISEASE_WORDS_CHRONIC = (
    "艾滋", "乙肝", "肝炎", "肝硬化", "结核", "精神分裂", "抑郁", "精神病", "精神障碍", "癫痫",
    "脑瘫", "心脏病", "冠心病", "糖尿病", "高血压", "红斑狼疮", "帕金森", "阿尔茨海默", "老年痴呆",
    "智力障碍", "智障", "自闭症", "孤独症", "聋哑", "失明", "地中海贫血", "重症肌无力", "渐冻",
)


def _longest_first(words: Iterable[str]) -> list[str]:
    return sorted(words, key=len, reverse=True)


_DISABILITY_TYPES = "肢体|视力|听力|言语|智力|精神|多重"
_GRADE = r"[一二三四1-4１-４]级"
_HEALTH_PATTERNS = (
    re.compile(rf"(?:{_GRADE})?(?:{_DISABILITY_TYPES})残疾(?:{_GRADE})?"),
    re.compile(rf"{_GRADE}残疾|残疾{_GRADE}|残疾等级|残疾证|重度残疾|轻度残疾|中度残疾"),
    re.compile(r"(?<![A-Za-z])(?:HIV|AIDS)(?![A-Za-z])", re.IGNORECASE),
    re.compile(r"中风(?!险)"),
    re.compile("|".join(re.escape(w) for w in _longest_first(DISEASE_WORDS_MAJOR + DISEASE_WORDS_CHRONIC) if w != "中风")),
)
# Public-health services name diseases without naming anyone: 两癌筛查, 艾滋病防治,
# 高血压、糖尿病患者健康管理. Those phrases are not findings.
_ANY_DISEASE = "|".join(re.escape(w) for w in _longest_first(DISEASE_WORDS_MAJOR + DISEASE_WORDS_CHRONIC))
_PUBLIC_HEALTH_PHRASES = re.compile(
    rf"(?:(?:{_ANY_DISEASE})[病症]?[、和及与]?)+(?:患者)?(?:防治|筛查|健康管理|随访服务|疫苗|宣传)"
)

# Quick necessary conditions, so most texts (names, villages, standards, dates) cost one or
# two searches instead of every pattern: a number finding needs a digit; every address
# pattern contains 号, 室, 单元 or 门牌; every health pattern contains 残疾, 中风, HIV/AIDS
# or a disease word.
_ANY_DIGIT = re.compile(r"\d")
_ADDRESS_TRIGGER = re.compile(r"号|室|单元|门牌")
_HEALTH_TRIGGER = re.compile(rf"残疾|中风|(?i:HIV|AIDS)|{_ANY_DISEASE}")


@dataclass(frozen=True)
class _Hit:
    kind: str
    start: int
    end: int
    raw: str


def _is_credit_code(code: str) -> bool:
    """GB 32100 统一社会信用代码 check character (organisations are public, not private)."""
    try:
        values = [_CREDIT_ALPHABET.index(ch) for ch in code]
    except ValueError:
        return False
    expected = (31 - sum(v * w for v, w in zip(values[:17], _CREDIT_WEIGHTS)) % 31) % 31
    return values[17] == expected


def _blank_spans(text: str, pattern: re.Pattern, keep: Callable[[re.Match], bool] = lambda m: True) -> str:
    """The text with matches overwritten by NULs (same length, never a digit separator)."""

    def blank(match: re.Match) -> str:
        return "\0" * len(match.group()) if keep(match) else match.group()

    return pattern.sub(blank, text)


def _plausible_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _looks_like_id18(digits: str) -> bool:
    year = int(digits[6:10])
    return 1900 <= year <= 2100 and _plausible_date(year, int(digits[10:12]), int(digits[12:14]))


def _looks_like_id15(digits: str) -> bool:
    return _plausible_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))


def _is_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789"


def _classify_number(chars: str) -> str | None:
    """What a run of digits (maybe ending in X) is, by length and content; None if harmless."""
    digits = chars.upper()
    if digits.endswith("X"):
        return KIND_ID_NUMBER if len(digits) == 18 else None
    if _is_mobile(_strip_country_code(digits)):
        return KIND_PHONE
    if len(digits) == 18 and _looks_like_id18(digits):
        return KIND_ID_NUMBER
    if len(digits) == 15 and _looks_like_id15(digits):
        return KIND_ID_NUMBER
    if 16 <= len(digits) <= 19:
        return KIND_BANK_ACCOUNT
    return None


def _classify_grouped(sizes: tuple[int, ...], joined: str) -> str | None:
    if sizes in _ID_LAYOUTS and len(joined) == 18 and (joined.upper().endswith("X") or _looks_like_id18(joined)):
        return KIND_ID_NUMBER
    if sizes in _PHONE_LAYOUTS and _is_mobile(joined):
        return KIND_PHONE
    bank_like = len(sizes) >= 4 and all(s == _BANK_GROUP for s in sizes[:-1]) and 1 <= sizes[-1] <= _BANK_GROUP
    if bank_like and 16 <= len(joined) <= 19 and joined.isdigit():
        return KIND_BANK_ACCOUNT
    return None


def _grouped_hit(text: str, tokens: list[re.Match], i: int) -> tuple[_Hit, int] | None:
    """A number written in groups starting at token i (same single separator throughout)."""
    if i + 2 >= len(tokens):
        return None
    first_gap = text[tokens[i].end() : tokens[i + 1].start()]
    if len(first_gap) != 1 or first_gap not in _SEPARATORS:  # every window needs this gap to be one
        return None
    for count in (5, 4, 3):
        window = tokens[i : i + count]
        if len(window) < count:
            continue
        gaps = [text[a.end() : b.start()] for a, b in zip(window, window[1:])]
        if len(set(gaps)) != 1 or len(gaps[0]) != 1 or gaps[0] not in _SEPARATORS:
            continue
        if any(t.group().upper().endswith("X") for t in window[:-1]):
            continue
        sizes = tuple(len(t.group()) for t in window)
        joined = "".join(t.group() for t in window)
        kind = _classify_grouped(sizes, joined)
        if kind:
            start, end = window[0].start(), window[-1].end()
            return _Hit(kind, start, end, joined), count
    return None


def _number_hits(folded: str) -> list[_Hit]:
    work = _blank_spans(folded, _CREDIT_CODE, lambda m: _is_credit_code(m.group()))
    hits = [_Hit(KIND_ID_NUMBER, m.start(), m.end(), m.group()) for m in _SCIENTIFIC_ID.finditer(work)]
    work = _blank_spans(work, _SCIENTIFIC_ID)
    tokens = list(_TOKEN.finditer(work))
    i = 0
    while i < len(tokens):
        grouped = _grouped_hit(work, tokens, i)
        if grouped:
            hits.append(grouped[0])
            i += grouped[1]
            continue
        token = tokens[i]
        kind = _classify_number(token.group())
        if kind:
            hits.append(_Hit(kind, token.start(), token.end(), token.group()))
        i += 1
    return hits


def _pattern_hits(text: str, kind: str, patterns: Iterable[re.Pattern]) -> list[_Hit]:
    return [_Hit(kind, m.start(), m.end(), m.group()) for p in patterns for m in p.finditer(text)]


def _without_overlaps(hits: list[_Hit]) -> list[_Hit]:
    """Earliest first; of overlapping hits the longer one wins."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept


def _without_public_phrases(text: str) -> str:
    return _blank_spans(_blank_spans(text, _POLICY_PHRASES), _PUBLIC_HEALTH_PHRASES)


def _only_digits(value: object) -> str:
    return "".join(ch for ch in _digits_and_x(value) if ch.isdigit())


@lru_cache(maxsize=1024)
def _allowed_digits(allowed_numbers: tuple) -> frozenset[str]:
    return frozenset(digits for digits in map(_only_digits, allowed_numbers) if digits)


def _find_hits(text: str, allowed_numbers: Iterable[str] = ()) -> list[_Hit]:
    folded = (text or "").translate(_FOLD)
    hits: list[_Hit] = []
    if _ANY_DIGIT.search(folded):
        allowed = _allowed_digits(tuple(allowed_numbers))
        hits = [h for h in _number_hits(folded) if _only_digits(h.raw) not in allowed]
    if _ADDRESS_TRIGGER.search(folded):
        hits += _pattern_hits(folded, KIND_ADDRESS, _ADDRESS_PATTERNS)
    if _HEALTH_TRIGGER.search(folded):
        hits += _pattern_hits(_without_public_phrases(folded), KIND_HEALTH, _HEALTH_PATTERNS)
    return _without_overlaps(hits) if hits else hits


def _mask_digits(text: str) -> str:
    return re.sub(r"\d", MASK_CHAR, text)


def _masked_excerpt(hit: _Hit) -> str:
    if _SCIENTIFIC_ID.fullmatch(hit.raw):
        return hit.raw  # Excel kept only the first digits: nothing more than the region code
    if hit.kind == KIND_ID_NUMBER:
        return mask_id_number(hit.raw)
    if hit.kind == KIND_PHONE:
        return mask_phone(hit.raw)
    if hit.kind == KIND_BANK_ACCOUNT:
        return mask_bank_account(hit.raw)
    if hit.kind == KIND_ADDRESS:
        return _mask_digits(hit.raw)
    return hit.raw


def _finding(hit: _Hit, location: str) -> Finding:
    excerpt = _masked_excerpt(hit)
    return Finding(
        kind=hit.kind,
        text_excerpt_masked=excerpt,
        location=location,
        message_zh=_KIND_MESSAGES[hit.kind].format(excerpt=excerpt),
        start=hit.start,
        end=hit.end,
    )


def scan_text(text: str, location: str = "", *, allowed_numbers: Iterable[str] = ()) -> list[Finding]:
    """Private data in one text: ID/phone/bank numbers, door plates, disease/disability words.

    `allowed_numbers` are numbers published on purpose (e.g. a supervision
    hotline that happens to be a mobile); landlines and 12345 never need it.
    """
    return [_finding(hit, location) for hit in _find_hits(text, allowed_numbers)]


def scan_blocks(
    blocks: Iterable[tuple[str, str]], *, allowed_numbers: Iterable[str] = ()
) -> list[Finding]:
    """Scan (location label, text) pairs, e.g. ("第2页 第15行", "…"); findings in block order."""
    allowed = tuple(allowed_numbers)
    findings: list[Finding] = []
    for location, text in blocks:
        findings.extend(scan_text(text, location, allowed_numbers=allowed))
    return findings


def assert_publishable(blocks: Iterable[tuple[str, str]], *, allowed_numbers: Iterable[str] = ()) -> None:
    """Raise `PrivacyLeak` naming every location that still holds private data."""
    findings = scan_blocks(blocks, allowed_numbers=allowed_numbers)
    if findings:
        raise PrivacyLeak(findings)


def redact_numbers(text: str, audience: Audience | str) -> str:
    """Free text with ID/phone/bank numbers hidden (PUBLIC) or masked (SEMI_PUBLIC)."""
    audience = Audience(audience)
    if audience is Audience.INTERNAL or not text:
        return text
    hits = [h for h in _find_hits(text) if h.kind in (KIND_ID_NUMBER, KIND_PHONE, KIND_BANK_ACCOUNT)]
    pieces, cursor = [], 0
    for hit in hits:
        replacement = PUBLIC_HIDDEN if audience is Audience.PUBLIC else _masked_excerpt(hit)
        pieces.extend((text[cursor : hit.start], replacement))
        cursor = hit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


# --------------------------------------------------------------------------
# 临时救助 事由 in general words
# --------------------------------------------------------------------------

REASON_MAJOR_ILLNESS = "突发重大疾病"
REASON_ILLNESS = "因病致困"
REASON_DISASTER = "突发灾害"
REASON_ACCIDENT = "遭遇意外事件"
REASON_EDUCATION = "教育支出较大"
REASON_FAMILY_CHANGE = "家庭遭遇变故"
REASON_DEFAULT = "生活困难"
REASON_MAX_LENGTH = 16

_DISASTER_WORDS = (
    "火灾", "失火", "着火", "起火", "烧毁", "洪水", "水灾", "洪涝", "内涝", "暴雨", "台风", "地震",
    "冰雹", "泥石流", "滑坡", "塌方", "雪灾", "旱灾", "风灾", "雷击", "倒塌", "受灾", "灾害",
)
_ACCIDENT_WORDS = (
    "车祸", "交通事故", "意外", "溺水", "摔伤", "跌伤", "工伤", "坠落", "烧伤", "烫伤", "触电",
    "事故", "受伤", "骨折",
)
_ILLNESS_WORDS = ("病", "医疗", "住院", "就医", "手术", "治疗", "医药", "残疾", "伤残", "药费")
_EDUCATION_WORDS = ("上学", "就学", "入学", "学费", "学杂费", "读书", "大学", "高中", "中专", "职校", "教育", "升学")
_FAMILY_CHANGE_WORDS = ("去世", "死亡", "病故", "身故", "离世", "丧葬", "遗弃", "服刑", "失踪")

_REASON_RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (_DISASTER_WORDS, REASON_DISASTER),
    (_ACCIDENT_WORDS, REASON_ACCIDENT),
    (DISEASE_WORDS_MAJOR, REASON_MAJOR_ILLNESS),
    (DISEASE_WORDS_CHRONIC, REASON_ILLNESS),
    (_FAMILY_CHANGE_WORDS, REASON_FAMILY_CHANGE),
    (_ILLNESS_WORDS, REASON_ILLNESS),
    (_EDUCATION_WORDS, REASON_EDUCATION),
)
_CLAUSE_END = re.compile(r"[，。；;,.!！?？\n]")
GENERAL_REASONS = frozenset(
    (REASON_MAJOR_ILLNESS, REASON_ILLNESS, REASON_DISASTER, REASON_ACCIDENT, REASON_EDUCATION, REASON_FAMILY_CHANGE, REASON_DEFAULT)
)


def _mentions_health(text: str) -> bool:
    folded = _without_public_phrases(text.translate(_FOLD))
    return any(p.search(folded) for p in _HEALTH_PATTERNS)


def generalize_reason(text: object) -> str:
    """A 临时救助 事由 in general words: "突发重大疾病", "因病致困", "突发灾害", ….

    Diagnoses, disability grades and disasters map to a fixed phrase; anything
    else keeps its first short clause with ID/phone/account numbers and door
    plates removed.
    """
    source = "" if text is None else str(text).strip()
    if not source:
        return ""
    if source in GENERAL_REASONS:
        return source
    for words, general in _REASON_RULES:
        if any(word in source for word in words):
            return general
    if _mentions_health(source):
        return REASON_ILLNESS
    return _short_clean_reason(source)


def _short_clean_reason(source: str) -> str:
    hits = _find_hits(source)
    pieces, cursor = [], 0
    for hit in hits:
        pieces.append(source[cursor : hit.start])
        cursor = hit.end
    pieces.append(source[cursor:])
    cleaned = " ".join("".join(pieces).split())
    clause = _CLAUSE_END.split(cleaned, maxsplit=1)[0].strip(" ：:")
    clause = "".join(name_characters(clause)[:REASON_MAX_LENGTH])
    return clause or REASON_DEFAULT


# --------------------------------------------------------------------------
# What each audience sees of a catalogue column
# --------------------------------------------------------------------------

SECRET_KINDS = frozenset(("id_number", "phone", "bank_account"))
_PERSON_NAME_LABELS = ("姓名", "户主", "申请人", "受益户", "受益人")
_MASKERS = {"id_number": mask_id_number, "phone": mask_phone, "bank_account": mask_bank_account}


def is_person_name_column(column: Column) -> bool:
    """True for a column holding a person's name (not a project's or an item's name)."""
    if column.kind == "person_name":
        return True
    return column.key == "name" and any(label in column.label for label in _PERSON_NAME_LABELS)


def present_value(column: Column, value: object, audience: Audience | str, name_policy: str = NAME_FULL) -> object:
    """The value of one column as `audience` may see it (None when there is nothing to show).

    Whether the column appears at all is `column_visible`; `public_row` uses both.

    PUBLIC never sees ID, phone or bank numbers, even if a catalogue marks such a
    column public; supervision hotlines (`public_phone`) are shown everywhere.
    """
    audience = Audience(audience)
    if audience is Audience.INTERNAL:
        return value
    if column.kind in SECRET_KINDS:
        if audience is Audience.PUBLIC or value in (None, ""):
            return None
        return _MASKERS[column.kind](value)
    if audience is Audience.PUBLIC and not column.public:
        return None
    if not isinstance(value, str):
        return value
    if column.kind == "public_phone":
        return value
    if column.kind == "reason":
        return generalize_reason(value)
    if is_person_name_column(column):
        return mask_name(value, name_policy)
    return redact_numbers(value, audience)


def column_visible(column: Column, audience: Audience | str) -> bool:
    """Whether `audience` gets this column at all (PUBLIC: public, non-secret columns only)."""
    audience = Audience(audience)
    if audience is Audience.PUBLIC:
        return column.public and column.kind not in SECRET_KINDS
    return True


def public_row(
    entry: CatalogEntry,
    item_values: Mapping[str, object],
    audience: Audience | str,
    name_policy: str | None = None,
) -> dict[str, object]:
    """A whole line item for `audience`, keyed by catalogue column key, in catalogue order.

    Keys the catalogue does not know are left out for PUBLIC and SEMI_PUBLIC
    (unknown means not cleared for publication); INTERNAL keeps everything.
    `name_policy` defaults to the category's `name_mask`.
    """
    audience = Audience(audience)
    if audience is Audience.INTERNAL:
        return dict(item_values)
    policy = name_policy or entry.name_mask
    return {
        column.key: present_value(column, item_values[column.key], audience, policy)
        for column in entry.columns
        if column.key in item_values and column_visible(column, audience)
    }


# --------------------------------------------------------------------------
# 依申请公开: the requester as every output but the request's own page shows them
# --------------------------------------------------------------------------


def mask_requester(name: object, is_person: bool) -> str:
    """A requester outside their own request page: a person as 姓*末字, an organisation by its name
    (a legal person's name is not personal data) with any ID/phone/bank number in it masked."""
    text = " ".join(str(name or "").split())
    if not text:
        return ""
    if is_person:
        return mask_name(text, NAME_SURNAME_LAST)
    return redact_numbers(text, Audience.SEMI_PUBLIC)


def mask_email(email: object) -> str:
    """z***@example.com: the first character of the mailbox and the domain."""
    text = str(email or "").strip()
    if "@" not in text:
        return MASK_CHAR * 3 if text else ""
    box, domain = text.rsplit("@", 1)
    return f"{box[:1]}{MASK_CHAR * 3}@{domain}"


def mask_request_text(text: object) -> str:
    """A request's text for the register list and the county: ID, phone and bank numbers masked."""
    return redact_numbers(str(text or ""), Audience.SEMI_PUBLIC)
