"""The demo township: realistic fictional data so a newcomer sees a working app.

`create_demo(session, households=N, seed=S)` fills an empty database with a
township of nine villages/communities (groups and notice boards), N
households with plausible names (a few with rare Ext A/B characters) and
valid ID numbers, and notices of every category in every lifecycle state,
some posted on boards with objections. Everything is fictional; the same
seed gives the same people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zwgk_desktop.core.calendar import build_calendar
from zwgk_desktop.core.catalogue import get_entry
from zwgk_desktop.core.disclosures import refresh_totals
from zwgk_desktop.core.idnumber import make_id_number
from zwgk_desktop.core.jobs import Job
from zwgk_desktop.core.models import (
    Disclosure,
    DisclosureItem,
    Household,
    NoticeBoard,
    Objection,
    Posting,
    StatusChange,
    Township,
    Village,
)
from zwgk_desktop.core.status import PUBLISHED, Status
from zwgk_desktop.core.line_items import change_type_of
from zwgk_desktop.core.townships import init_township
from zwgk_desktop.errors import InvalidInput

TOWNSHIP = "青山镇"
COUNTY = "安宁县"
VILLAGES = ("青山村", "桃园村", "柳河村", "石桥村", "杨庄村", "李集村", "王圩村", "东岗村", "新河社区")
REGION_CODE = "341122"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = (
    "建国", "秀英", "桂兰", "玉梅", "德明", "志强", "春华", "海燕", "国庆", "红梅", "文华", "永生", "淑珍", "明亮",
    "丽娟", "金凤", "长福", "宝山", "凤英", "家兴", "立新", "翠兰", "卫东", "美玲", "振华", "桂芳", "长江", "玉兰",
    "树林", "学文", "大勇", "小平", "传宝", "兰英", "守成", "庆丰", "有才", "秀珍", "金华", "德胜", "士林", "广田",
    "明", "华", "军", "芳", "勇", "静", "强", "磊", "洋", "艳", "杰", "娟", "涛", "超", "霞", "平", "刚", "琴",
)
# Names with characters outside the common fonts: Ext A (㛃 䶮) and Ext B (𠮷 𡒄 𪚥).
RARE_NAMES = ("王㛃", "李𠮷祥", "张䶮", "陈𡒄", "刘𪚥明", "赵㛃芳")
GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组")
STATES = tuple(Status)
TOWNSHIP_PHONE = "0557-5021234"
COUNTY_PHONE = "0557-3021888"


@dataclass
class DemoSummary:
    township: str
    villages: int
    village_names: list[str]
    households: int
    disclosures: int


def database_is_empty(session: Session) -> bool:
    return not any(
        session.execute(select(func.count()).select_from(model)).scalar() for model in (Township, Household, Disclosure)
    )


def create_demo(session: Session, households: int = 2400, seed: int = 2026, job: Job | None = None, today: date | None = None) -> DemoSummary:
    if households < 50 or households > 200_000:
        raise InvalidInput("演示户数应在 50 到 200000 之间。")
    if not database_is_empty(session):
        raise InvalidInput("数据目录中已有数据，演示数据只能创建在空的数据目录中。请用 --data-dir 指定一个新目录。")
    job = job or Job()
    rng = random.Random(seed)
    today = today or date.today()
    summary = init_township(
        session, TOWNSHIP, list(VILLAGES), county_name=COUNTY,
        supervise_phone=TOWNSHIP_PHONE, county_supervise_phone=COUNTY_PHONE,
    )
    township = session.get(Township, summary.id)
    villages = list(session.execute(select(Village).order_by(Village.sort_order)).scalars())
    job.progress(0, households, "正在生成户籍台账…")
    people = make_households(session, rng, villages, households, job)
    builder = NoticeBuilder(session, rng, township, villages, people, today)
    count = 0
    for category in ("dibao", "tekun", "linshi", "weifang", "fupin_project", "fupin_fund", "generic"):
        for state in STATES:
            job.check()
            builder.build(category, state)
            count += 1
    job.progress(households, households, "演示数据已生成")
    return DemoSummary(TOWNSHIP, len(villages), [v.name for v in villages], len(people), count)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def make_households(session: Session, rng: random.Random, villages: list[Village], count: int, job: Job) -> list[Household]:
    used_ids: set[str] = set()
    households = []
    for index in range(count):
        village = villages[index % len(villages)]
        name = RARE_NAMES[index // 7] if index % 7 == 3 and index // 7 < len(RARE_NAMES) else person_name(rng)
        id_number = unique_id_number(rng, used_ids)
        group = rng.choice(GROUPS)
        household = Household(
            village_id=village.id, group_name=group, head_name=name, id_number=id_number,
            member_count=rng.choice((1, 1, 2, 2, 3, 3, 4, 4, 5, 6)),
            phone=f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            bank_account=f"6217{rng.randrange(10**15):015d}",
            address=f"{village.name}{group}{rng.randint(1, 120)}号",
            helper_name=person_name(rng), helper_phone=f"13{rng.randrange(10**9):09d}",
        )
        households.append(household)
        if index % 500 == 0:
            job.check()
            job.progress(index, count, "正在生成户籍台账…")
    session.add_all(households)
    session.flush()
    return households


def unique_id_number(rng: random.Random, used: set[str]) -> str:
    while True:
        birth = date(1938, 1, 1) + timedelta(days=rng.randrange(365 * 62))
        candidate = make_id_number(REGION_CODE, birth, rng.randrange(1, 999))
        if candidate not in used:
            used.add(candidate)
            return candidate


class NoticeBuilder:
    """Builds one demo notice per (category, state) with believable line items and postings."""

    def __init__(self, session, rng, township, villages, households, today):
        self.session, self.rng, self.township = session, rng, township
        self.villages, self.households, self.today = villages, households, today
        self.calendar = build_calendar()
        self.boards = list(session.execute(select(NoticeBoard)).scalars())
        self.village_by_id = {v.id: v for v in villages}

    def build(self, category: str, state: str) -> Disclosure:
        entry = get_entry(category)
        age = STATES.index(state)
        issued = self.today - timedelta(days=max(0, (age - 2)) * 12 + self.rng.randint(0, 3))
        month = issued.month
        title = self.title(category, issued, state)
        notice = Disclosure(
            township_id=self.township.id, category=category, title=title, body=self.body(category, month),
            issuer=self.township.issuer, supervise_phone=self.township.supervise_phone, status=state,
            year=issued.year, author="demo",
        )
        self.session.add(notice)
        self.session.flush()
        items = self.items(category, notice, 24 + self.rng.randint(0, 40) if category != "fupin_project" else 6)
        self.session.add_all(items)
        self.session.flush()
        refresh_totals(self.session, notice)
        self.record_history(notice, state)
        if state in PUBLISHED:
            self.post(notice, issued, entry.rule, items, state)
        return notice

    def title(self, category, issued, state) -> str:
        name = self.township.name
        year, month = issued.year, issued.month
        prefix = ""
        return {
            "dibao": f"{prefix}{name}{year}年{month}月城乡最低生活保障对象审核确认情况公示",
            "tekun": f"{prefix}{name}{year}年特困人员认定情况公示（第{month}批）",
            "linshi": f"{prefix}{name}{year}年{month}月临时救助情况公示",
            "weifang": f"{prefix}{name}{year}年农村危房改造补助对象公示",
            "fupin_project": f"{prefix}{name}{year}年衔接资金项目实施情况公告",
            "fupin_fund": f"{prefix}{name}{year}年第{(month - 1) // 3 + 1}季度惠民惠农补贴资金发放公示",
            "generic": f"{prefix}{name}{year}年第{(month - 1) // 3 + 1}季度村务财务公开",
        }[category]

    @staticmethod
    def body(category: str, month: int) -> str:
        if category == "generic":
            return "根据《中华人民共和国村民委员会组织法》有关规定，现将本季度村级财务收支及重大事项公开如下，欢迎群众监督。"
        return "经个人申请、村（居）民委员会入户调查和民主评议、乡镇人民政府审核，现将有关情况予以公示。如有异议，请在公示期内向乡镇人民政府或县级主管部门反映。"

    def items(self, category: str, notice: Disclosure, count: int) -> list[DisclosureItem]:
        if category == "fupin_project":
            return [self.project_item(notice, seq) for seq in range(1, count + 1)]
        if category == "generic":
            return [self.finance_item(notice, seq) for seq in range(1, min(count, 18) + 1)]
        chosen = self.rng.sample(self.households, min(count, len(self.households)))
        return [self.household_item(category, notice, seq, h) for seq, h in enumerate(chosen, start=1)]

    def household_item(self, category: str, notice: Disclosure, seq: int, h: Household) -> DisclosureItem:
        rng = self.rng
        village = self.village_by_id[h.village_id]
        people = h.member_count
        extra: dict = {}
        if category == "dibao":
            amount = people * rng.choice((520, 560, 610, 680)) * 100
            extra = {"level": rng.choice(("A类", "B类", "C类")), "change_type": rng.choice(("新增", "新增", "调整", "续保", "停保")), "remark": ""}
        elif category == "tekun":
            people = 1
            amount = 1060 * 100
            extra = {"support_mode": rng.choice(("分散供养", "分散供养", "集中供养")), "self_care": rng.choice(("全自理", "半护理", "全护理")),
                     "care_standard": rng.choice((120, 480, 960)) * 100, "notice_type": rng.choice(("拟认定", "拟认定", "拟终止"))}
        elif category == "linshi":
            amount = rng.choice((1000, 1500, 2000, 3000, 5000, 8000)) * 100
            extra = {"aid_type": rng.choice(("急难型", "支出型")), "reason": rng.choice(("突发重大疾病", "遭遇意外事件", "突发灾害", "教育支出较大")),
                     "approved_on": (self.today - timedelta(days=rng.randint(5, 40))).isoformat()}
        elif category == "weifang":
            amount = rng.choice((15000, 20000, 25000, 35000, 40000)) * 100
            extra = {"target_type": rng.choice(("低保户", "分散供养特困人员", "低保边缘家庭")), "danger_level": rng.choice(("C级", "D级")),
                     "method": rng.choice(("拆除重建", "修缮加固")), "completed_on": (self.today - timedelta(days=rng.randint(20, 90))).isoformat(),
                     "acceptance": rng.choice(("合格", "合格", "待验收"))}
        elif category == "fupin_fund":
            subsidy, standard, yuan = rng.choice((("雨露计划补助", "1500元/人·学期", 1500), ("产业发展奖补", "按实际规模", 2000), ("小额信贷贴息", "按贷款额4.35%", 870), ("耕地地力保护补贴", "112元/亩", 672)))
            amount = yuan * 100
            extra = {"subsidy_name": subsidy, "standard": standard, "paid_on": (self.today - timedelta(days=rng.randint(3, 30))).isoformat()}
        code = change_type_of(extra.get("change_type"))  # the typed facts of core.line_items
        return DisclosureItem(
            disclosure_id=notice.id, seq=seq, household_id=h.id, name=h.head_name, village_id=village.id,
            village_name=village.name, group_name=h.group_name, id_number=h.id_number, people=people,
            amount_fen=amount, extra=extra, change_type=code.value if code else None,
            family_size=h.member_count if category in ("dibao", "linshi", "weifang") else None,
            covered_people=people if category == "dibao" else None,
        )

    def finance_item(self, notice: Disclosure, seq: int) -> DisclosureItem:
        """A line of a 村务财务公开: an income or spending item of one village, no person named."""
        rng = self.rng
        village = rng.choice(self.villages)
        name, content = rng.choice((
            ("村部维修", "更换村部屋顶防水层"), ("道路养护", "村组道路坑洼修补"), ("保洁员工资", "本季度保洁员劳务费"),
            ("水利设施维护", "清淤当家塘一口"), ("办公经费", "村委会日常办公支出"), ("集体资产租赁收入", "村集体厂房出租"),
        ))
        amount = rng.choice((1200, 3600, 8800, 15000, 26000)) * 100
        return DisclosureItem(
            disclosure_id=notice.id, seq=seq, name=name, village_id=village.id, village_name=village.name,
            amount_fen=amount, extra={"content": content, "remark": "收入" if "收入" in name else "支出"},
        )

    def project_item(self, notice: Disclosure, seq: int) -> DisclosureItem:
        rng = self.rng
        village = rng.choice(self.villages)
        kind, content = rng.choice((("产业路硬化", "硬化道路1.2公里，宽4.5米"), ("光伏电站", "建设村级光伏电站100千瓦"), ("灌溉渠修复", "修复灌溉渠道2.3公里"), ("农产品冷库", "新建冷库500立方米")))
        amount = rng.choice((35, 48, 60, 120, 180)) * 10_000 * 100
        return DisclosureItem(
            disclosure_id=notice.id, seq=seq, name=f"{village.name}{kind}项目", village_id=village.id, village_name=village.name,
            amount_fen=amount, people=rng.randint(80, 600),
            extra={"content": content, "fund_source": "中央财政衔接推进乡村振兴补助资金", "period": "2026年3月—2026年10月",
                   "goal": "改善生产生活条件，带动脱贫户增收", "implementer": f"{village.name}村民委员会",
                   "beneficiaries": f"受益{rng.randint(80, 600)}人，其中脱贫人口{rng.randint(10, 80)}人", "result": "已完工",
                   "acceptance": "验收合格", "supervise_phone": COUNTY_PHONE},
        )

    def record_history(self, notice: Disclosure, state: str) -> None:
        path = {"withdrawn": ("draft", "pending_review", "approved", "withdrawn")}.get(state) or STATES[: STATES.index(state) + 1]
        if "approved" in path:
            notice.approved_by, notice.approved_at = "demo", notice.created_at
        for before, after in zip(path, path[1:]):
            self.session.add(StatusChange(disclosure_id=notice.id, from_status=before, to_status=after, by_user="demo", reason="演示数据"))

    def post(self, notice: Disclosure, issued: date, rule, items, state: str) -> None:
        start = issued
        result = self.calendar.period_end(start, rule)
        notice.period_start, notice.period_end = start, result.end
        village_ids = {i.village_id for i in items if i.village_id}
        for board in self.boards:
            if board.village_id is None or board.village_id in village_ids:
                removed = result.end + timedelta(days=1) if state in ("expired", "archived") else None
                self.session.add(Posting(disclosure_id=notice.id, board_id=board.id, posted_on=start, planned_end=result.end, removed_on=removed, posted_by="demo"))
        if state == "publishing":
            self.session.add(Objection(disclosure_id=notice.id, received_on=start + timedelta(days=1), from_name="", channel="电话",
                                       content="反映其中一户家庭收入情况与实际不符", status="open", recorded_by="demo"))
        elif state in ("expired", "archived"):
            self.session.add(Objection(disclosure_id=notice.id, received_on=start + timedelta(days=2), from_name="村民", channel="来访",
                                       content="询问公示对象认定条件", handling="已当面解释政策", result="异议不成立，维持原公示",
                                       status="resolved", closed_on=start + timedelta(days=3), recorded_by="demo"))
