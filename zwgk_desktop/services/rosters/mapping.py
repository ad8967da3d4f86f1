"""Column mapping: which spreadsheet column holds which catalogue column key.

Owns the synonym table (户主姓名/户主/申请人… → `name`), header-text
normalisation, automatic mapping by best synonym score, the header
signature that identifies a source layout (same county export next month →
same signature → the remembered mapping), and resolving a user override
given as header texts or column indexes.

Keys starting with `_` are recognised but not imported (`_seq` 序号,
`_member` 家庭成员姓名, `_relation` 与户主关系): they help find the header
row and tell member rows from household rows.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from zwgk_desktop.core.catalogue import CatalogEntry
from zwgk_desktop.core.line_items import FUNDING_KEYS, FUNDING_SYNONYMS, FUNDING_TOTAL_WORDS, funding_key

SYNONYMS: dict[str, tuple[str, ...]] = {
    "village": ("村组", "村(组)", "村(居)", "村(社区)", "村名", "村别", "所在村", "行政村", "村居", "村委会",
                "村民委员会", "所属村", "社区", "村", "实施地点", "项目地点", "建设地点", "地点"),
    "group": ("组", "村民小组", "小组", "组别", "所在组", "组名", "居民小组"),
    "name": ("户主姓名", "户主", "申请人姓名", "申请人", "户主/申请人", "受益户姓名", "受益户", "户名",
             "救助对象姓名", "救助对象", "对象姓名", "特困人员姓名", "供养对象", "受助人", "姓名",
             "事项/名称", "项目名称", "名称", "事项"),
    "id_number": ("身份证号码", "身份证号", "公民身份号码", "户主身份证号码", "身份证件号码", "身份证", "证件号码",
                  "身份号码", "证件号"),
    "people": ("保障人数", "保障人口", "享受人数", "救助人数", "供养人数", "受益人数", "家庭人口", "家庭人口数",
               "共同生活人数", "家庭成员数", "人口数", "人口", "人数"),
    "family_size": ("家庭人口", "家庭人口数", "家庭人数", "家庭成员人数", "共同生活人数", "家庭成员数", "户籍人口",
                    "户人口", "人口数", "人口"),
    "level": ("保障类别/档次", "保障类别", "保障档次", "救助档次", "档次", "类别"),
    "amount": ("月保障金额", "保障金额", "小计", "月保障金", "保障金", "救助金额", "补助金额", "发放金额",
               "补贴金额", "资金规模", "基本生活标准", "应发金额", "实发金额", "合计金额", "金额"),
    "change_type": ("类型", "变动类型", "变更类型", "变动情况", "变更情况", "变动", "增减变动", "增减情况",
                    "审批类型", "备案类型", "保障状态", "变化情况"),
    "remark": ("备注", "说明"),
    "phone": ("联系电话", "电话号码", "手机号码", "手机号", "电话", "手机", "联系方式"),
    "bank_account": ("银行账号", "银行卡号", "一卡通账号", "社保卡号", "存折账号", "收款账号", "账号", "卡号"),
    "support_mode": ("供养方式", "供养形式"),
    "self_care": ("生活自理能力", "自理能力", "自理情况"),
    "care_standard": ("照料护理标准", "护理标准", "照料护理费"),
    "notice_type": ("公示类型", "类型"),
    "aid_type": ("救助类型", "救助类别", "类型"),
    "reason": ("救助事由", "事由", "救助原因", "致困原因", "困难原因"),
    "approved_on": ("审批日期", "审批时间", "批准日期"),
    "target_type": ("对象类别", "对象类型", "补助对象类别", "类别"),
    "danger_level": ("危险等级", "房屋危险等级", "鉴定等级", "等级"),
    "method": ("改造方式", "改造类型"),
    "completed_on": ("竣工日期", "竣工时间", "完工日期"),
    "acceptance": ("验收结果", "检查验收结果", "验收情况"),
    "content": ("建设内容及规模", "建设内容", "项目内容", "内容"),
    "fund_source": ("资金来源",),
    "period": ("实施期限", "建设期限", "实施时间"),
    "goal": ("预期目标", "绩效目标"),
    "implementer": ("实施单位及责任人", "实施单位", "责任单位", "实施主体", "责任人"),
    "beneficiaries": ("受益对象", "受益群众", "受益户数"),
    "result": ("实施结果",),
    "supervise_phone": ("监督举报电话", "监督电话", "举报电话"),
    "subsidy_name": ("项目/补贴名称", "补贴名称", "补贴项目", "资金项目", "项目名称"),
    "standard": ("补助标准", "补贴标准", "标准"),
    "paid_on": ("发放日期", "发放时间", "拨付日期"),
    "_seq": ("序号", "编号", "序"),
    "_member": ("家庭成员姓名", "成员姓名", "共同生活家庭成员", "家庭成员", "成员"),
    "_relation": ("与户主关系", "与申请人关系", "关系"),
}
PSEUDO_KEYS = ("_seq", "_member", "_relation")
MEMBER_MARK = "成员"
EXACT_LEAF, EXACT_FULL, CONTAINS_LEAF, CONTAINS_FULL = 400, 300, 200, 100

_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_UNIT = re.compile(r"\((?:元|元/月|元/人|元/户|人|户|个|万元|月)\)$")
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "／": "/", "：": ":", "　": ""})


def normalize_header(text: str) -> str:
    """Header text for matching: no spaces/newlines, ASCII brackets, no trailing unit like (元).

    Short texts are cached: finding the header row scores every cell of the first rows against
    every synonym (long ones, never a header, are not kept)."""
    text = str(text)
    return _normalize_short(text) if len(text) <= 64 else _normalize(text)


def _normalize(text: str) -> str:
    text = _SPACES.sub("", text).translate(_FULLWIDTH).lower()
    text = text.rstrip(":*")
    previous = None
    while previous != text:
        previous, text = text, _UNIT.sub("", text)
    return text


_normalize_short = lru_cache(maxsize=8192)(_normalize)


@dataclass(frozen=True)
class HeaderColumn:
    """One spreadsheet column of the table: index (0-based), full text (parent/child) and leaf text."""

    index: int
    text: str
    leaf: str

    @property
    def letter(self) -> str:
        return column_letter(self.index)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def synonyms_for(entry: CatalogEntry) -> dict[str, tuple[str, ...]]:
    """Per key of this category (plus the pseudo keys): its own label first, then the shared synonyms.

    Built once per catalogue entry (entries are frozen; an updated catalogue brings new ones)."""
    cached = _SYNONYMS_BY_ENTRY.get(id(entry))
    if cached is not None and cached[0] is entry:
        return cached[1]
    table = _build_synonyms(entry)
    _SYNONYMS_BY_ENTRY[id(entry)] = (entry, table)
    return table


_SYNONYMS_BY_ENTRY: dict[int, tuple[CatalogEntry, dict[str, tuple[str, ...]]]] = {}


def _build_synonyms(entry: CatalogEntry) -> dict[str, tuple[str, ...]]:
    table = {}
    for column in entry.columns:
        own = normalize_header(column.label)
        rest = tuple(normalize_header(s) for s in SYNONYMS.get(column.key, ()))
        table[column.key] = (own, *[s for s in rest if s != own])
    for key in PSEUDO_KEYS:
        table[key] = tuple(normalize_header(s) for s in SYNONYMS[key])
    return table


def score_header(key: str, column: HeaderColumn, synonyms: tuple[str, ...]) -> int:
    """How well one header matches one key (0 = not at all); exact beats contains, earlier synonyms win."""
    leaf, full = normalize_header(column.leaf), normalize_header(column.text)
    if not leaf:
        return 0
    if key in ("name", "id_number") and MEMBER_MARK in full and leaf not in synonyms[:1]:
        return 0  # 家庭成员/姓名 is a member's column, not the household head's
    best = 0
    for rank, synonym in enumerate(synonyms):
        if leaf == synonym:
            best = max(best, EXACT_LEAF - rank)
        elif full == synonym:
            best = max(best, EXACT_FULL - rank)
        elif len(synonym) >= 2 and synonym in leaf:
            best = max(best, CONTAINS_LEAF - rank)
        elif len(synonym) >= 2 and synonym in full:
            best = max(best, CONTAINS_FULL - rank)
    return best


def auto_map(columns: list[HeaderColumn], entry: CatalogEntry) -> dict[str, int]:
    """Best one-to-one assignment of keys to column indexes, greedy by score.

    Funding parts under a money header (补助资金（元）/中央 …) are assigned first, and the
    group's 合计/小计 sub-column becomes the amount.
    """
    mapping = funding_columns(columns) if entry.column("amount") is not None else {}
    table = synonyms_for(entry)
    candidates = []
    for key, synonyms in table.items():
        for column in columns:
            score = score_header(key, column, synonyms)
            if score:
                candidates.append((score, -column.index, key, column.index))
    candidates.sort(reverse=True)
    used: set[int] = set(mapping.values())
    for _score, _neg, key, index in candidates:
        if key in mapping or index in used:
            continue
        mapping[key] = index
        used.add(index)
    return mapping


# Words in a parent header that say its sub-columns are money.
MONEY_WORDS = ("资金", "补助", "金额", "元", "投资", "预算", "补贴", "款")
_FUNDING_LEAVES = {normalize_header(word): part for part, words in FUNDING_SYNONYMS.items() for word in words}
_TOTAL_LEAVES = {normalize_header(word) for word in FUNDING_TOTAL_WORDS}


def _parent(column: HeaderColumn) -> str:
    return column.text[: -len(column.leaf)].rstrip("/") if column.text.endswith(column.leaf) else ""


def _ancestors(parent: str) -> list[str]:
    """"补助资金（元）/其中" → ["补助资金（元）/其中", "补助资金（元）"]."""
    levels = parent.split("/") if parent else []
    return ["/".join(levels[:depth]) for depth in range(len(levels), 0, -1)]


# A level word, then only words that say "money of that level": 市级衔接资金, 中央财政衔接推进乡村振兴补助资金,
# 县级配套资金 (but not 县乡道路建设资金, whose rest names something else).
_LEVEL_WORDS = sorted(((word, part) for part, words in {
    "central": ("中央",), "province": ("省级", "省"), "city": ("市级", "市州", "市"), "county": ("县级", "区级", "县区", "县"),
    "self": ("农户自筹", "群众自筹", "自筹"),
}.items() for word in words), key=lambda pair: -len(pair[0]))
_LEVEL_TAILS = ("推进乡村振兴", "巩固衔接", "衔接", "财政", "补助", "资金", "配套", "专项", "奖补", "投入", "级")


def _part_by_level(leaf: str) -> str | None:
    for word, part in _LEVEL_WORDS:
        if leaf.startswith(word):
            rest = leaf[len(word):]
            for tail in _LEVEL_TAILS:
                rest = rest.replace(tail, "")
            return part if rest == "" else None
    return None


def funding_part(column: HeaderColumn) -> str | None:
    """The funding part a header names: 中央/省级/市级/县级/自筹 under a money header, or 中央资金-like alone."""
    leaf = normalize_header(column.leaf)
    part = _FUNDING_LEAVES.get(leaf)
    if part is None:
        for prefix in ("其中", "其中:"):  # "其中：中央" written in one cell
            if leaf.startswith(prefix) and leaf[len(prefix):] in _FUNDING_LEAVES:
                part = _FUNDING_LEAVES[leaf[len(prefix):]]
    if part is None:
        part = _part_by_level(leaf)
    if part is None:
        return None
    parent = _parent(column)
    if any(word in parent for word in MONEY_WORDS):
        return part
    explicit = len(leaf) >= 3 and any(word in leaf for word in ("资金", "补助", "财政", "自筹"))
    return part if explicit else None


def funding_columns(columns: list[HeaderColumn]) -> dict[str, int]:
    """{funding.<part>: column, and 'amount': the group's 合计 column} for funding parts in the header.

    The 合计 belongs to the group when it sits under the parts' header or any header above it:
    "补助资金（元）/合计" beside "补助资金（元）/其中/中央" (a three-row header) is the group's total."""
    found: dict[str, int] = {}
    parents: set[str] = set()
    for column in columns:
        part = funding_part(column)
        if part is not None and funding_key(part) not in found:
            found[funding_key(part)] = column.index
            parents.update(_ancestors(_parent(column)))
    if not found:
        return {}
    for column in columns:
        if column.index in found.values():
            continue
        if normalize_header(column.leaf) in _TOTAL_LEAVES and (_parent(column) in parents or not _parent(column)):
            found["amount"] = column.index
            break
    return found


def count_matches(texts: list[str], entry: CatalogEntry) -> tuple[int, bool]:
    """(number of distinct keys a candidate header row matches, whether one is name/amount/id)."""
    columns = [HeaderColumn(i, t, t) for i, t in enumerate(texts) if t]
    mapping = auto_map(columns, entry)
    real = {k for k in mapping if not k.startswith("_")}
    return len(mapping), bool(real & {"name", "amount", "id_number"})


def header_signature(category: str, columns: list[HeaderColumn]) -> str:
    """Stable id of a source layout: category + every header text in order (64 hex chars)."""
    joined = "\x1f".join(normalize_header(c.text) for c in columns)
    return hashlib.sha256(f"{category}\x1e{joined}".encode("utf-8")).hexdigest()


def resolve_override(override: dict, columns: list[HeaderColumn], entry: CatalogEntry) -> dict[str, int]:
    """A user/remembered mapping {key: header text | column index | column letter} → {key: index}.

    Unknown keys and headers that no longer exist are dropped (the caller reports what is mapped).
    """
    valid_keys = {c.key for c in entry.columns} | set(PSEUDO_KEYS) | set(FUNDING_KEYS)
    by_index = {c.index: c for c in columns}
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for key, target in override.items():
        if key not in valid_keys or target is None or target == "":
            continue
        index = _resolve_target(target, columns, by_index, used)
        if index is not None:
            mapping[key] = index
            used.add(index)
    return mapping


def _resolve_target(target, columns, by_index, used) -> int | None:
    if isinstance(target, int) and not isinstance(target, bool):
        return target if target in by_index else None
    text = str(target)
    if re.fullmatch(r"[A-Z]{1,3}", text):
        index = letter_index(text)
        if index in by_index:
            return index
    wanted = normalize_header(text)
    for column in columns:
        if column.index in used:
            continue
        if normalize_header(column.text) == wanted or normalize_header(column.leaf) == wanted:
            return column.index
    return None


def letter_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + (ord(char) - 64)
    return index - 1
