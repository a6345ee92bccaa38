"""A seeded, deterministic demo portfolio, written through the importer so it obeys the importer's rules.

`build_demo(db, branches=40, seed=7, today=None)` invents a rollout that looks current on `today`:
a pilot that went live about a year ago and `branches` other branches at every stage (live, in
stage 1, preparing at varied readiness, stalled, no plan yet), with checklists, master data, key
users, regional executives and their touchpoints, the pilot's lessons and their application,
problems at the live branches, and from kick-off to acceptance: kick-off records, consultant days
by phase, daily document entries at live branches, acceptances and payments. Every random choice
comes from `random.Random(seed)` in a fixed order (the kick-off-to-acceptance sheets from a second
stream of the same seed, so adding them left the other sheets unchanged) and every date is relative
to `today`, so the same seed and day give identical data.

The rows are handed to `rollout.exchange.importer.load` as a workbook named "demo" (the app shows a banner
while a 'demo' load is in the import log), so the demo is validated exactly like a user's workbook.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from rollout.core.i18n import gettext
from rollout.core.progress import Progress, part, silent
from rollout.exchange.sources import RawSheet, RawWorkbook
from rollout.exchange.spec import APPLICATION_STATUSES, DEVIATION_DECISIONS, LOAD_ORDER
from rollout.store.db import Database

PILOT_CODE = "PIL"
MAX_BRANCHES = 20_000  # the largest demo (a national chain); its planner settings stay within the Settings limits
DEMO_FILE_NAME = "demo"

# (code, name, cities): the first six are used up to 200 branches, up to ten beyond.
REGIONS: list[tuple[str, str, list[str]]] = [
    ("EAST", "华东区", ["苏州", "杭州", "宁波", "南京", "常州", "合肥", "南通", "嘉兴", "绍兴"]),
    ("NORTH", "华北区", ["天津", "石家庄", "太原", "保定", "唐山", "廊坊", "呼和浩特", "秦皇岛"]),
    ("SOUTH", "华南区", ["广州", "深圳", "东莞", "佛山", "厦门", "福州", "南宁", "珠海"]),
    ("CENTRAL", "华中区", ["武汉", "长沙", "郑州", "南昌", "洛阳", "宜昌", "株洲", "襄阳"]),
    ("SOUTHWEST", "西南区", ["成都", "重庆", "昆明", "贵阳", "绵阳", "遵义", "宜宾"]),
    ("NORTHEAST", "东北区", ["沈阳", "大连", "长春", "哈尔滨", "鞍山", "吉林", "大庆"]),
    ("NORTHWEST", "西北区", ["西安", "兰州", "银川", "乌鲁木齐", "西宁", "宝鸡"]),
    ("SHANDONG", "山东区", ["济南", "烟台", "潍坊", "淄博", "临沂", "威海", "济宁"]),
    ("HUNAN", "湘赣区", ["衡阳", "岳阳", "九江", "赣州", "常德", "湘潭"]),
    ("COAST", "东南沿海区", ["温州", "台州", "泉州", "漳州", "汕头", "莆田"]),
]
BRANCH_SUFFIXES = ["分公司", "工厂", "销售公司", "二厂", "物流中心", "三厂", "制造基地", "办事处", "四厂", "服务中心"]

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
            "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴孔汤")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华鹏飞玲婷晨浩宇欣雪琳斌波辉凯峰健俊红梅丹蕾颖佳慧建国志海文"
         "云兵宁燕莉阳帆萍亮松鑫昊然悦瑶琦")
HQ_CONTACTS = ["总部项目办 王静", "CIO 李明", "实施顾问 陈晨", "总部项目办 赵磊", "财务总监 孙丽", "实施顾问 周杰"]

# The pilot's checklist is the template: (code, dimension, title, weight, gate, position). Position is
# the fraction of the preparation window at which the item falls due; kick-off items instead carry
# an offset in days from the kick-off meeting.
CORE_ITEMS: list[tuple[str, str, str, float, bool, float]] = [
    ("GOV-01", "governance", "Project charter signed", 2, False, 0.05),
    ("GOV-02", "governance", "Consultant man-day budget approved", 1, False, 0.08),
    ("GOV-03", "governance", "Weekly project meeting and status report to senior management running", 1, False, 0.2),
    ("GOV-04", "governance", "Acceptance criteria agreed with the branch", 2, True, 0.55),
    ("GOV-05", "governance", "Phase sign-off: blueprint", 1, False, 0.45),
    ("GOV-06", "governance", "Go-live approved by the branch general manager", 3, True, 0.98),
    ("PPL-01", "people", "Project manager named", 2, True, 0.04),
    ("PPL-02", "people", "Key users named for every module", 3, True, 0.15),
    ("PPL-03", "people", "Backup key user trained for every module", 2, False, 0.7),
    ("PPL-04", "people", "Key users passed the assessment (score >= 80)", 3, True, 0.85),
    ("PPL-05", "people", "End users trained by the key users", 2, False, 0.95),
    ("DAT-01", "data", "Chart of accounts validated", 3, True, 0.5),
    ("DAT-02", "data", "Customer master data cleansed and loaded", 2, False, 0.55),
    ("DAT-03", "data", "Vendor master data cleansed and loaded", 2, False, 0.58),
    ("DAT-04", "data", "Material master data proofread", 2, False, 0.65),
    ("DAT-05", "data", "BOMs for next month's products entered", 2, False, 0.8),
    ("DAT-06", "data", "Opening balances loaded", 3, True, 0.99),
    ("PRC-01", "process", "Sales process blueprint signed off", 2, False, 0.35),
    ("PRC-02", "process", "Purchasing and inventory blueprint signed off", 2, False, 0.4),
    ("PRC-03", "process", "Month-end close procedure documented", 1, False, 0.75),
    ("PRC-04", "process", "Integration test passed", 3, True, 0.88),
    ("PRC-05", "process", "Same-day document entry rule agreed", 1, False, 0.9),
    ("TEC-01", "technical", "Network and client PCs ready", 1, False, 0.3),
    ("TEC-02", "technical", "User accounts and permissions set up", 2, False, 0.8),
    ("TEC-03", "technical", "Printers and forms configured", 1, False, 0.82),
    ("TEC-04", "technical", "Cut-over rehearsal completed", 3, True, 0.93),
    ("KO-01", "kickoff", "Kick-off notice and agenda sent (time, place, participants)", 1, False, -14),
    ("KO-02", "kickoff", "Kick-off materials ready (charter, schedule, project rules, speeches)", 2, False, -5),
    ("KO-03", "kickoff", "Steering committee and project team named", 2, True, -3),
    ("KO-04", "kickoff", "Reward and penalty rules announced", 1, False, 0),
    ("KO-05", "kickoff", "Kick-off minutes signed by both parties and archived", 1, False, 3),
]
EXTRA_TITLES: dict[str, list[str]] = {
    "governance": ["Steering committee review", "Risk register reviewed", "Change request reviewed",
                   "Man-days spent versus remaining reported"],
    "people": ["Key user workshop", "Role mapping confirmed", "Super-user drop-in session held",
               "Department heads briefed"],
    "data": ["Material master batch proofread", "Customer balances reconciled", "Price list loaded",
             "Warehouse locations loaded", "Stock count reconciled", "Asset register loaded"],
    "process": ["Process walkthrough signed off", "Report layout agreed", "Approval workflow tested",
                "Exception procedure documented"],
    "technical": ["Interface tested", "Batch job scheduled", "Authorisation test passed", "Backup restore tested"],
}
EXTRA_PREFIX = {"governance": "GOV", "people": "PPL", "data": "DAT", "process": "PRC", "technical": "TEC"}

LESSONS: list[dict[str, Any]] = [
    dict(code="L01", phase="go-live", module="finance", category="data", impact="high",
         title="Opening balances loaded before the prior month was closed",
         description="期初余额在上月结账前导入，上线后反复调整，财务对账拖了三周。",
         recommendation="Load opening balances only after the previous month's close; reconcile with the ledger.",
         item="DAT-06", days=12),
    dict(code="L02", phase="preparation", module="supply_chain", category="people", impact="high",
         title="The only inventory key user resigned two weeks before go-live",
         description="库存模块只有一名关键用户，离职后无人能做期末盘点和出入库培训。",
         recommendation="Name and train a backup key user for every module.", item="PPL-03", days=20),
    dict(code="L03", phase="kick-off", module=None, category="executive", impact="high",
         title="The branch general manager skipped the kick-off meeting",
         description="总经理未出席启动会，部门经理认为项目不重要，关键用户被频繁抽调。",
         recommendation="Two short touchpoints with the general manager before kick-off; the GM opens the meeting.",
         item="KO-03", days=30),
    dict(code="L04", phase="preparation", module="production", category="training", impact="medium",
         title="Key users trained too early forgot the BOM transactions",
         description="培训与上线间隔三个月，考核通过的关键用户上线时已不会操作。",
         recommendation="Assess key users within four weeks of go-live and retrain anyone below 80.",
         item="PPL-04", days=45),
    dict(code="L05", phase="go-live", module="supply_chain", category="process", impact="medium",
         title="Documents entered days late after go-live",
         description="出入库单据隔天补录，库存账实不符。",
         recommendation="Agree a same-day entry rule and check it daily in the first month.", item="PRC-05", days=60),
    dict(code="L06", phase="cut-over", module=None, category="technical", impact="low",
         title="Label printers not configured for the new forms",
         description="上线第一天无法打印发货标签。",
         recommendation="Include printers and forms in the cut-over rehearsal.", item="TEC-03", days=8),
    dict(code="L07", phase="stage 2", module="production", category="data", impact="medium",
         title="BOMs for next month's products missing when production went live",
         description="第二阶段上线时下月产品的BOM未录入，生产订单无法下达。",
         recommendation="Enter next month's BOMs during stage 1.", item="DAT-05", days=75),
    dict(code="L08", phase="post go-live", module="finance", category="process", impact="high",
         title="An unresolved problem backlog paralysed the month-end close",
         description="上线后问题未限时解决，积压导致月结无法完成。",
         recommendation="Fix problems within three days and review the backlog weekly.", item=None, days=40),
    dict(code="L09", phase="kick-off", module="hr", category="people", impact="low",
         title="Reward and penalty rules unclear to the project team",
         description="项目奖惩制度未在启动会上宣布，关键用户投入不足。",
         recommendation="Announce reward and penalty rules at the kick-off.", item="KO-04", days=25),
]

TOPICS = ["Why the rollout matters for the branch", "Kick-off date and agenda", "Key user nomination",
          "Data preparation progress", "Go-live readiness review", "Peak season and timing",
          "Consultant budget", "Problem backlog", "Pilot results", "Steering committee update",
          "Staffing for the project team", "Training and assessment results"]
COMMITMENTS = ["Name two key users for finance", "Attend the kick-off in person", "Release the warehouse manager "
               "for data cleansing", "Approve overtime for the stock count", "Confirm the go-live date with the "
               "board", "Send the opening balance plan", "Nominate a backup key user for supply chain"]
PROBLEM_TITLES: dict[str, list[str]] = {
    "finance": ["Opening balance difference in receivables", "VAT invoice print layout wrong",
                "Month-end close blocked by unposted documents", "Bank reconciliation mismatch"],
    "supply_chain": ["Stock count differs from the system after cut-over", "Sales orders priced with old list",
                     "Goods receipts entered a day late", "Negative stock on transfer orders"],
    "production": ["Missing BOM for a new product", "Work order costs not settled",
                   "Routing times wrong on the main line"],
    "hr": ["Payroll export rejected by the bank", "Shift calendar not loaded"],
}
# The rollout office's own records (RAID log, template deviations): what a weekly project meeting produces.
RISK_TITLES = ["关键用户兼职，无法保证测试时间", "期初库存盘点可能推迟", "业务旺季与上线时间冲突",
               "区域总经理对项目支持不足", "物料编码清理进度落后", "接口供应商响应慢", "网络专线未开通",
               "财务月结与切换时间重叠"]
ACTION_TITLES = ["确认关键用户名单", "完成客户主数据清洗", "提交期初余额核对表", "安排最终用户培训", "确认报表格式",
                 "完成权限矩阵审批", "准备切换方案并评审", "落实打印机与条码设备"]
ISSUE_TITLES = ["测试环境数据不全", "采购审批流程与模板不一致", "部分物料缺少计量单位换算", "培训出勤率低"]
DECISION_TITLES = ["采用推广模板的应收流程", "期初数据以月末余额导入", "条码打印推迟到上线后", "上线当月双轨运行一周"]
DEVIATION_TITLES = [("report", "销售日报按区域汇总"), ("form", "送货单增加客户料号"), ("interface", "对接本地税控系统"),
                    ("workflow", "采购申请增加总经理审批"), ("configuration", "增加寄售库存仓"),
                    ("enhancement", "车间看板"), ("data", "历史订单迁移"), ("report", "应收账龄按业务员分析")]
PROGRAMME_ITEMS = [  # (kind, title, probability, impact): the steering committee's own log
    ("risk", "实施顾问资源在第三批次不足", 5, 4), ("risk", "ERP 版本升级与推广计划冲突", 3, 5),
    ("risk", "总部主数据标准未最终确定", 3, 3), ("risk", "培训教材翻译延迟", 2, 2),
    ("action", "指导委员会确认下一批次上线名单", None, None), ("action", "更新推广模板并发布", None, None),
    ("decision", "分公司差异需求统一由项目办评审", None, None), ("issue", "试点遗留问题清单未关闭", None, 3)]
DEPARTMENTS = {"finance": "财务部", "supply_chain": "供应链部", "production": "生产部", "hr": "人力资源部"}
TITLES = {"finance": "财务主管", "supply_chain": "仓储经理", "production": "生产计划主管", "hr": "人事主管"}

# The mix of stages for every 40 branches (the first eight hold one of each, so even 8 branches
# cover every stage); scaled by cycling, then shuffled.
PROFILE_PATTERN = (["live", "no_plan", "red", "stalled", "stage1", "amber", "green", "early"]
                   + ["live"] * 7 + ["stage1"] * 4 + ["green"] * 6 + ["amber"] * 5 + ["red"] * 5
                   + ["stalled"] * 1 + ["no_plan"] * 2 + ["early"] * 2)
# Days ahead of (+) or behind (-) plan, per profile, as (low, high).
LEAD_DAYS = {"live": (0, 10), "stage1": (0, 10), "green": (12, 30), "early": (8, 20), "amber": (-22, -6),
             "red": (-60, -35), "stalled": (-20, 0)}


# --- small helpers ---------------------------------------------------------------------------------

def month_start(day: date, months: int) -> date:
    """The 1st of the month `months` after day's month (negative: before)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def working_day(day: date) -> date:
    """A Monday-Thursday near day (kick-offs are never on a weekend, nor on a Friday before one)."""
    shift = {4: -1, 5: 2, 6: 2}.get(day.weekday(), 0)  # Friday -> Thursday, Saturday/Sunday -> Monday/Tuesday
    return day + timedelta(days=shift)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass
class Branch:
    code: str
    name: str
    region: str
    city: str
    profile: str
    headcount: int
    go_live: date | None
    kickoff: date | None
    actual: date | None = None
    modules: list[tuple[str, int, date | None, date | None]] = field(default_factory=list)
    people: dict[str, str] = field(default_factory=dict)  # role or key_user:module -> name (for owners)

    @property
    def has_plan(self) -> bool:
        return self.profile != "no_plan"


class _Builder:
    def __init__(self, branches: int, seed: int, today: date) -> None:
        self.n = branches
        self.rng = random.Random(seed)
        # the kick-off-to-acceptance sheets draw from their own stream: the other sheets stay as they were
        self.golive_rng = random.Random(f"golive:{seed}")
        self.raid_rng = random.Random(f"raid:{seed}")  # the RAID log and deviations: a third stream
        self._soon: set[str] = set()  # branches going live within 30 days (some deviation blocks one)
        self._decisions: set[str] = set()  # the deviation decisions made so far
        self.today = today
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in LOAD_ORDER}
        self.branches: list[Branch] = []
        self.people_count = 0
        self.exec_count = 0
        self.problem_count = 0
        # Scale: ~20 checklist items and ~8 touchpoints per executive at 40 branches, ~100 and ~25 at 2000.
        self.items_target = max(18, min(100, round(18 + branches * 0.041)))
        self.touch_target = max(8, min(25, round(8 + branches * 0.0085)))
        n_regions = 6 if branches <= 200 else min(len(REGIONS), 6 + math.ceil((branches - 200) / 450))
        self.regions = REGIONS[:n_regions]
        self.template = self._template()

    # --- names ---
    def person_name(self) -> str:
        given = self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.6 else "")
        return self.rng.choice(SURNAMES) + given

    # --- the checklist template (the pilot's full plan) ---
    def _template(self) -> list[tuple[str, str, str, float, bool, float]]:
        items = list(CORE_ITEMS)
        wanted = max(len(items), math.ceil(self.items_target * 1.15))
        counters = {dim: sum(1 for i in items if i[1] == dim) for dim in EXTRA_PREFIX}
        dims = list(EXTRA_PREFIX)
        k = 0
        while len(items) < wanted:
            dim = dims[k % len(dims)]
            titles = EXTRA_TITLES[dim]
            counters[dim] += 1
            batch = counters[dim]
            title = f"{titles[batch % len(titles)]} ({batch})"
            position = round(0.1 + 0.85 * ((k * 0.618) % 1), 3)
            items.append((f"{EXTRA_PREFIX[dim]}-{batch:02d}", dim, title, float(1 + k % 2), False, position))
            k += 1
        return items

    # --- regions and branches ---
    def build_branches(self) -> None:
        rng, today = self.rng, self.today
        for code, name, _ in self.regions:
            self.rows["regions"].append({"region_code": code, "region_name": name})
        pilot_go = month_start(today, -12)
        pilot = Branch(PILOT_CODE, "青岛试点工厂", self.regions[0][0], "青岛", "pilot", 420, pilot_go,
                       working_day(pilot_go - timedelta(days=180)), actual=pilot_go)
        self.pilot = pilot
        profiles = [PROFILE_PATTERN[i % len(PROFILE_PATTERN)] for i in range(self.n)]
        rng.shuffle(profiles)
        drafts = []
        for profile in profiles:
            go, kickoff, actual = self._dates(profile)
            drafts.append((go or date.max, rng.random(), profile, go, kickoff, actual))
        drafts.sort(key=lambda d: (d[0], d[1]))  # codes follow the go-live order
        width = max(3, len(str(self.n)))
        used: dict[str, int] = {}
        region_order = [r for r in self.regions]
        for i, (_, _, profile, go, kickoff, actual) in enumerate(drafts):
            region_code, _, cities = region_order[rng.randrange(len(region_order))] if i >= len(region_order) \
                else region_order[i]
            city = cities[rng.randrange(len(cities))]
            variant = used.get(city, 0)
            used[city] = variant + 1
            suffix = BRANCH_SUFFIXES[variant] if variant < len(BRANCH_SUFFIXES) else f"第{variant + 1}分公司"
            self.branches.append(Branch(f"B{i + 1:0{width}d}", city + suffix, region_code, city, profile,
                                        rng.randint(60, 900), go, kickoff, actual))
        for branch in [pilot, *self.branches]:
            self._branch_row(branch, pilot_go)

    def _dates(self, profile: str) -> tuple[date | None, date | None, date | None]:
        rng, today = self.rng, self.today
        if profile == "live":
            go = month_start(today, -rng.randint(3, 10))
            return go, working_day(go - timedelta(days=rng.randint(110, 170))), go
        if profile == "stage1":
            go = month_start(today, -rng.randint(1, 2))
            return go, working_day(go - timedelta(days=rng.randint(110, 170))), go
        if profile == "no_plan":
            if rng.random() < 0.5:
                return None, None, None
            go = month_start(today, rng.randint(8, 14))
            return go, working_day(go - timedelta(days=rng.randint(120, 160))), None
        months = {"green": (3, 6), "amber": (2, 5), "red": (1, 2), "stalled": (3, 5), "early": (6, 9)}[profile]
        go = month_start(today, rng.randint(*months))
        if profile == "early":
            kickoff = today - timedelta(days=rng.randint(15, 45))
        else:
            kickoff = min(go - timedelta(days=rng.randint(110, 170)), today - timedelta(days=rng.randint(20, 70)))
        return go, working_day(kickoff), None

    def _branch_row(self, b: Branch, pilot_go: date) -> None:
        rng, today = self.rng, self.today
        peak = rng.choice([None, None, None, "11,12", "1,2", "6,7", "9", "12"])
        budget = float(round((b.headcount * 0.3 + rng.randint(40, 90)) / 5) * 5) if b.go_live else None
        used = None
        if budget is not None and b.kickoff and b.kickoff <= today:
            if b.actual:
                used = round(budget * rng.uniform(0.85, 1.25))
            else:
                span = max(1, (b.go_live - b.kickoff).days)
                used = round(budget * min(1.0, (today - b.kickoff).days / span) * rng.uniform(0.7, 1.35))
        wave = 0 if b.profile == "pilot" else (1 + max(0, months_between(pilot_go, b.go_live) - 1) // 3
                                               if b.go_live else None)
        self.rows["branches"].append({
            "branch_code": b.code, "branch_name": b.name, "region_code": b.region, "city": b.city,
            "is_pilot": b.profile == "pilot", "headcount": b.headcount, "wave": wave,
            "planned_kickoff": b.kickoff, "planned_go_live": b.go_live, "actual_go_live": b.actual,
            "peak_months": peak, "consultant_days_budget": budget,
            "consultant_days_used": float(used) if used is not None else None, "requirements_signed_on": None,
        })
        # modules: stage 1 finance + supply chain, production in stage 2 (~60%), hr sometimes
        stage2 = month_start(b.go_live, rng.choice([2, 2, 3])) if b.go_live else None
        if b.profile == "stage1":
            stage2 = month_start(today, rng.randint(1, 2))
        mods: list[tuple[str, int, date | None, date | None]] = [
            ("finance", 1, b.go_live, b.actual), ("supply_chain", 1, b.go_live, b.actual)]
        if b.profile == "pilot" or rng.random() < 0.6:
            late = b.profile == "live" and rng.random() < 0.15  # stage 2 date passed, not live yet
            live2 = stage2 if stage2 and stage2 <= today and b.actual and not late else None
            mods.append(("production", 2, stage2, live2))
        if b.profile == "pilot" or rng.random() < 0.3:
            hr_date = month_start(b.go_live, 6) if b.go_live else None
            mods.append(("hr", 3, hr_date, hr_date if hr_date and hr_date <= today and b.actual else None))
        b.modules = mods
        for module, phase, planned, actual in mods:
            self.rows["modules"].append({"branch_code": b.code, "module": module, "phase": phase,
                                         "planned_go_live": planned, "actual_go_live": actual})

    # --- people, requirements, assignments, training ---
    def build_people(self) -> None:
        last_pm_in_region: dict[str, str] = {}
        for b in [self.pilot, *self.branches]:
            if not b.has_plan:
                if self.rng.random() < 0.5:  # requirements written, nobody assigned yet
                    self._requirement(b.code, "project_manager", "", 1.0)
                    for module, *_ in b.modules:
                        self._requirement(b.code, "key_user", module, 1.0)
                continue
            self._staff_branch(b, last_pm_in_region)

    def _requirement(self, branch: str, role: str, module: str, fte: float) -> None:
        self.rows["role_requirements"].append({"branch_code": branch, "role": role, "module": module,
                                               "required_fte": fte})

    def _person(self, b: Branch, title: str, department: str, leaves: bool = False) -> tuple[str, str]:
        rng, today = self.rng, self.today
        self.people_count += 1
        code = f"P{self.people_count:05d}"
        name = self.person_name()
        joined = today - timedelta(days=rng.randint(20, 40) if rng.random() < 0.05 else rng.randint(200, 3600))
        left = None
        if leaves:
            left = max(joined + timedelta(days=1), today - timedelta(days=rng.randint(5, 120)))
        self.rows["people"].append({"person_code": code, "name": name, "branch_code": b.code, "title": title,
                                    "department": department, "email": f"{code.lower()}@demo.example",
                                    "joined_on": joined, "left_on": left})
        return code, name

    def _assign(self, person: str, branch: Branch, role: str, module: str, fte: float,
                backup: bool = False) -> None:
        start = None
        if branch.kickoff:
            start = min(branch.kickoff - timedelta(days=self.rng.randint(0, 30)), self.today)
        self.rows["assignments"].append({"person_code": person, "branch_code": branch.code, "role": role,
                                         "module": module, "fte": fte, "is_backup": backup,
                                         "start_date": start, "end_date": None})

    def _staff_branch(self, b: Branch, last_pm_in_region: dict[str, str]) -> None:
        rng = self.rng
        self._requirement(b.code, "project_manager", "", 1.0)
        shared = b.profile != "pilot" and b.region in last_pm_in_region and rng.random() < 0.1
        if shared:  # a neighbouring branch's project manager also runs this one: over-allocated
            pm = last_pm_in_region[b.region]
            self._assign(pm, b, "project_manager", "", 0.6)
            b.people["project_manager"] = "项目经理"
        else:
            pm, pm_name = self._person(b, "项目经理", "总经办", leaves=rng.random() < 0.03)
            self._assign(pm, b, "project_manager", "", 1.0)
            b.people["project_manager"] = pm_name
            last_pm_in_region[b.region] = pm
        for module, *_ in b.modules:
            self._requirement(b.code, "key_user", module, rng.choice([1.0, 1.0, 1.5]) if module != "hr" else 0.5)
            count = 2 if b.profile == "pilot" else rng.choices([0, 1, 2, 3], weights=[7, 25, 55, 13])[0]
            for k in range(count):
                leaves = b.profile != "pilot" and rng.random() < 0.08
                code, name = self._person(b, TITLES[module], DEPARTMENTS[module], leaves)
                self._assign(code, b, "key_user", module, rng.choice([0.5, 0.5, 0.6, 0.8]), backup=k > 0)
                b.people.setdefault(f"key_user:{module}", name)
                self._training(code, module, b)
            if rng.random() < 0.15 and b.profile != "pilot":  # the project manager doubles as a key user
                self._assign(pm, b, "key_user", module, rng.choice([0.3, 0.4]))
        self._requirement(b.code, "it_admin", "", 0.5)
        if rng.random() < 0.8:
            code, name = self._person(b, "IT主管", "信息部", leaves=rng.random() < 0.05)
            self._assign(code, b, "it_admin", "", 0.5)
            b.people["it_admin"] = name
        if b.profile == "pilot" or rng.random() < 0.4:
            self._requirement(b.code, "data_steward", "", 0.5)
            if rng.random() < 0.7:
                code, name = self._person(b, "主数据专员", "信息部")
                self._assign(code, b, "data_steward", "", rng.choice([0.5, 1.0]))
                b.people["data_steward"] = name
        if b.profile == "pilot" or rng.random() < 0.3:
            self._requirement(b.code, "trainer", "", 0.5)
            code, name = self._person(b, "内训师", "人力资源部")
            self._assign(code, b, "trainer", "", 0.5)
            self._training(code, rng.choice([m for m, *_ in b.modules]), b, course="Train-the-trainer")

    def _training(self, person: str, module: str, b: Branch, course: str | None = None) -> None:
        rng, today = self.rng, self.today
        if (b.profile == "early" and rng.random() < 0.6) or rng.random() < 0.08:
            return  # not trained yet
        start = b.kickoff or today - timedelta(days=90)
        latest = min(today, b.go_live - timedelta(days=7)) if b.go_live else today
        if latest <= start:
            self.rows["training"].append({"person_code": person, "module": module, "course": course or
                                          f"{module} key-user course", "completed_on": None, "score": None})
            return
        done = start + timedelta(days=rng.randint(0, (latest - start).days))
        score = float(max(40, min(100, round(rng.gauss(86, 8)))))
        self.rows["training"].append({"person_code": person, "module": module,
                                      "course": course or f"{module} key-user course", "completed_on": done,
                                      "score": score})

    # --- checklists ---
    def build_checklists(self) -> None:
        for b in [self.pilot, *self.branches]:
            if b.has_plan:
                self._checklist(b)

    def _owner(self, b: Branch, dim: str) -> str:
        if dim == "technical":
            return b.people.get("it_admin", "总部实施组")
        if dim == "data":
            return b.people.get("data_steward") or b.people.get("key_user:finance", "总部实施组")
        if dim == "process":
            return b.people.get("key_user:supply_chain") or b.people.get("project_manager", "总部实施组")
        return b.people.get("project_manager", "总部实施组")

    def _checklist(self, b: Branch) -> None:
        rng, today = self.rng, self.today
        template = self.template
        if b.profile != "pilot":
            count = min(len(template), max(10, round(self.items_target * rng.uniform(0.8, 1.2))))
            gates = [i for i, item in enumerate(template) if item[4]]
            others = [i for i, item in enumerate(template) if not item[4]]
            chosen = set(gates) | set(rng.sample(others, max(0, min(len(others), count - len(gates)))))
            template = [item for i, item in enumerate(template) if i in chosen]
        prep_start = b.kickoff - timedelta(days=28)
        span = (b.go_live - timedelta(days=1) - prep_start).days
        lead = rng.randint(*LEAD_DAYS.get(b.profile, (0, 5)))
        cutoff = today - timedelta(days=rng.randint(62, 110)) if b.profile == "stalled" else today
        # Due dates follow the template's order, spaced so the planned weight is spread evenly over
        # the preparation window (an on-plan branch then forecasts its planned date).
        planned = sorted((item for item in template if item[1] != "kickoff"), key=lambda item: item[5])
        total = sum(item[3] for item in planned) or 1.0
        dues: dict[str, date] = {}
        running = 0.0
        for item in planned:
            dues[item[0]] = prep_start + timedelta(days=round((running + item[3] / 2) / total * span))
            running += item[3]
        owners = {dim: self._owner(b, dim) for dim in ("governance", "people", "data", "process", "technical",
                                                       "kickoff")}
        rand = rng.random
        live = b.profile in ("live", "stage1")
        out = self.rows["checklist"]
        for code, dim, title, weight, gate, position in template:
            due = b.kickoff + timedelta(days=int(position)) if dim == "kickoff" else dues[code]
            scheduled = due - timedelta(days=lead + int(rand() * 13) - 6)
            status, completed = "open", None
            if not gate and rand() < 0.04:
                status = "waived"
            elif scheduled <= cutoff and not (live and rand() < 0.02):
                status, completed = "done", scheduled
            elif (scheduled - cutoff).days <= 21:
                status = "in_progress"
            out.append({"branch_code": b.code, "item_code": code, "dimension": dim, "title": title,
                        "owner": owners[dim], "due_date": due, "weight": weight, "status": status,
                        "completed_on": completed, "gate": gate})

    # --- master data ---
    def build_master_data(self) -> None:
        rng = self.rng
        ranges = {"live": (1.0, 1.0), "stage1": (1.0, 1.0), "pilot": (1.0, 1.0), "green": (0.7, 1.0),
                  "early": (0.0, 0.3), "amber": (0.4, 0.85), "red": (0.1, 0.5), "stalled": (0.2, 0.5),
                  "no_plan": (0.0, 0.0)}
        for b in [self.pilot, *self.branches]:
            if b.profile == "no_plan" and rng.random() < 0.5:
                continue
            objects = ["customers", "vendors", "materials", "chart_of_accounts", "opening_balances"]
            if any(m == "production" for m, *_ in b.modules):
                objects.append("boms")
            if rng.random() < 0.2:
                objects.append("other")
            low, high = ranges[b.profile]
            for obj in objects:
                expected = {"customers": (200, 3000), "vendors": (100, 1500), "materials": (500, 8000),
                            "chart_of_accounts": (150, 600), "opening_balances": (80, 500), "boms": (50, 1500),
                            "other": (20, 300)}[obj]
                records = rng.randint(*expected)
                if obj == "opening_balances" and (b.profile in ("early", "no_plan") or rng.random() < 0.1):
                    records = 0  # a new company or balances not due yet: nothing to load
                loaded_share = rng.uniform(low, high)
                loaded = round(records * min(1.0, loaded_share * 1.15))
                validated = round(loaded * rng.uniform(0.75, 1.0)) if high < 1 else loaded
                self.rows["master_data"].append({
                    "branch_code": b.code, "object": obj, "records_expected": records,
                    "records_loaded": loaded if (loaded or high > 0) else None,
                    "records_validated": validated if (validated or high > 0) else None})

    # --- executives and touchpoints ---
    def build_executives(self) -> None:
        rng = self.rng
        execs: list[tuple[str, str]] = []  # (exec_code, engagement)
        heads = [self.pilot, *self.branches]
        for b in heads:
            self.exec_count += 1
            code = f"X{self.exec_count:04d}"
            self.rows["executives"].append({"exec_code": code, "name": self.person_name(), "title": "总经理",
                                            "region_code": b.region, "branch_code": b.code,
                                            "email": f"{code.lower()}@demo.example"})
            weights = {"red": [3, 3, 4], "stalled": [2, 3, 5], "no_plan": [2, 3, 5]}.get(b.profile, [6, 3, 2])
            kind = "engaged" if b.profile == "pilot" else rng.choices(["engaged", "cooling", "quiet"], weights)[0]
            execs.append((code, kind))
        for code_region, name, _ in self.regions:
            self.exec_count += 1
            code = f"X{self.exec_count:04d}"
            self.rows["executives"].append({"exec_code": code, "name": self.person_name(),
                                            "title": f"{name}总裁", "region_code": code_region, "branch_code": None,
                                            "email": f"{code.lower()}@demo.example"})
            execs.append((code, rng.choice(["engaged", "engaged", "cooling", "quiet"])))
        never = max(1, round(0.04 * len(execs)))
        for index in rng.sample(range(1, len(heads)), min(never, len(heads) - 1)):
            execs[index] = (execs[index][0], "never")
        for code, kind in execs:
            self._touchpoints(code, kind)

    def _touchpoints(self, code: str, kind: str) -> None:
        rng, today = self.rng, self.today
        if kind == "never":
            return
        factor = {"engaged": (1.2, 1.8), "cooling": (0.5, 0.9), "quiet": (0.3, 0.7)}[kind]
        count = max(1, round(self.touch_target * rng.uniform(*factor)))
        window = {"engaged": (0, 182), "cooling": (15, 182), "quiet": (61, 182)}[kind]
        ages: set[int] = set()
        if kind == "engaged":
            ages.add(rng.randint(0, 10))
        elif kind == "cooling":
            ages.add(rng.randint(15, 40))
        count = min(count, window[1] - window[0] + 1)
        while len(ages) < count:
            # engaged: denser in recent weeks
            age = int(window[1] * rng.random() ** 1.6) if kind == "engaged" else rng.randint(*window)
            if window[0] <= age <= window[1]:
                ages.add(age)
        channels = {"engaged": [3, 3, 3, 2], "cooling": [4, 3, 1, 1], "quiet": [5, 3, 1, 1]}[kind]
        moods = {"engaged": [0, 1, 1, 2, 2, 1], "cooling": [-1, 0, 0, 1, 1], "quiet": [-2, -1, -1, 0, 0, 1]}[kind]
        for age in sorted(ages, reverse=True):
            day = today - timedelta(days=age)
            channel = rng.choices(["email", "phone", "visit", "meeting"], channels)[0]
            duration = {"email": rng.choice([None, 10]), "phone": rng.randint(10, 20),
                        "visit": rng.choice([30, 45, 60, 90, 120]), "meeting": rng.choice([15, 20, 30, 45])}[channel]
            commitment = rng.choice(COMMITMENTS) if rng.random() < 0.25 else None
            self.rows["touchpoints"].append({
                "exec_code": code, "date": day, "channel": channel, "duration_min": duration,
                "hq_contact": rng.choice(HQ_CONTACTS), "topic": rng.choice(TOPICS),
                "sentiment": rng.choice(moods) if rng.random() < 0.85 else None, "commitment": commitment,
                "follow_up_due": day + timedelta(days=rng.randint(7, 21)) if commitment else None})

    # --- lessons and their application ---
    def build_lessons(self) -> None:
        rng, today = self.rng, self.today
        pilot_go = self.pilot.actual
        recorded: dict[str, date] = {}
        for lesson in LESSONS:
            on = min(today, pilot_go + timedelta(days=lesson["days"]))
            recorded[lesson["code"]] = on
            self.rows["lessons"].append({
                "lesson_code": lesson["code"], "source_branch_code": PILOT_CODE, "phase": lesson["phase"],
                "module": lesson["module"], "category": lesson["category"], "title": lesson["title"],
                "description": lesson["description"], "impact": lesson["impact"],
                "recommendation": lesson["recommendation"], "checklist_item_code": lesson["item"],
                "recorded_on": on})
        odds = {"live": [5, 25, 35, 10, 25], "stage1": [10, 30, 20, 10, 30], "green": [25, 30, 5, 10, 30],
                "early": [40, 5, 0, 5, 50], "amber": [30, 15, 5, 5, 45], "red": [25, 10, 0, 5, 60],
                "stalled": [25, 10, 0, 5, 60], "no_plan": [10, 0, 0, 0, 90]}
        statuses = [*APPLICATION_STATUSES, None]  # None: no row (not applied anywhere yet)
        notes = {"planned": "Scheduled before kick-off", "applied": None, "verified": "Checked on site by HQ",
                 "not_applicable": "Branch has no such process"}
        first = len(self.rows["lesson_applications"])
        for b in self.branches:
            for lesson in LESSONS:
                status = rng.choices(statuses, odds[b.profile])[0]
                if status is None:
                    continue
                start = max(recorded[lesson["code"]], b.kickoff or recorded[lesson["code"]])
                updated = start + timedelta(days=rng.randint(0, max(0, (today - start).days))) \
                    if start <= today else today
                self.rows["lesson_applications"].append({
                    "lesson_code": lesson["code"], "branch_code": b.code, "status": status,
                    "note": notes[status] if rng.random() < 0.5 else None, "updated_on": updated})
        rows = self.rows["lesson_applications"][first:]
        seen = [r["status"] for r in rows]
        for i, status in enumerate(s for s in APPLICATION_STATUSES if s not in seen):
            if i < len(rows):  # small portfolios: make sure every status shows up once
                rows[i]["status"] = status

    # --- problems at live branches ---
    def build_problems(self) -> None:
        rng, today = self.rng, self.today
        for b in [self.pilot, *self.branches]:
            if not b.actual:
                continue
            live_modules = [m for m, _, _, actual in b.modules if actual]
            count = rng.randint(6, 10) if b.profile == "pilot" else rng.randint(1, 5)
            for k in range(count):
                module = rng.choice(live_modules)
                opened = b.actual + timedelta(days=rng.randint(0, max(0, (today - b.actual).days)))
                severity = "critical" if k == 0 and rng.random() < 0.35 else \
                    rng.choices(["low", "medium", "high", "critical"], [30, 35, 25, 10])[0]
                closed = None
                if rng.random() < 0.6:
                    closed = opened + timedelta(days=rng.randint(1, 40))
                    if closed > today:
                        closed = None
                self.problem_count += 1
                self.rows["problems"].append({
                    "problem_code": f"PR{self.problem_count:05d}", "branch_code": b.code, "opened_on": opened,
                    "closed_on": closed, "severity": severity, "module": module,
                    "title": rng.choice(PROBLEM_TITLES[module]),
                    "owner": b.people.get(f"key_user:{module}") or b.people.get("project_manager")})

    # --- from kick-off to acceptance ---
    def build_kickoffs(self) -> None:
        """A kick-off record for most branches whose planned kick-off has passed, mostly by the rules,
        some with findings (an afternoon, too long, no steering committee, minutes late or unsigned);
        a few kick-offs that passed unrecorded show as 'not held'."""
        rng, today = self.golive_rng, self.today
        for b in [self.pilot, *self.branches]:
            if not b.kickoff or b.kickoff >= today or (not b.actual and rng.random() < 0.1):
                continue
            held = b.kickoff
            late_minutes = rng.random() < 0.08
            signed = held + timedelta(days=rng.randint(8, 20) if late_minutes else rng.randint(0, 6))
            self.rows["kickoffs"].append({
                "branch_code": b.code, "held_on": held,
                "start_time": rng.choices(["08:30", "09:00", "09:30", "14:00"], [6, 12, 6, 1])[0],
                "duration_min": rng.choices([120, 150, 180, 240, 300], [6, 8, 10, 4, 1])[0],
                "chair": b.people.get("project_manager", "总部项目办"), "attendees": rng.randint(18, 70),
                "steering_committee_named": rng.random() < 0.96, "rewards_announced": rng.random() < 0.94,
                "qa_held": rng.random() < 0.85,
                "minutes_signed_on": None if signed > today or (late_minutes and rng.random() < 0.5) else signed,
                "minutes_ref": f"minutes/{b.code}-kickoff-{held.isoformat()}.pdf"})

    def build_consultant_days(self) -> None:
        """Day-by-day consultant days by phase for branches preparing (from four weeks before their
        kick-off) and for those live less than four months (support after go-live too), adding up to
        about the branch's man-days used; other branches keep the branches sheet's figure."""
        rng, today = self.golive_rng, self.today
        sheet = {r["branch_code"]: r for r in self.rows["branches"]}
        consultants = ["实施顾问 陈晨", "实施顾问 周杰", "实施顾问 吴芳", "实施顾问 李明", "数据顾问 郑强"]
        for b in self.branches:
            used = sheet[b.code]["consultant_days_used"]
            if not (b.kickoff and b.go_live and used) or (b.actual and (today - b.actual).days > 120):
                continue
            start = b.kickoff - timedelta(days=28)
            days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
            days = [d for d in days if d.weekday() < 5]
            team = rng.sample(consultants, rng.randint(1, 3))
            chance = min(1.0, used / max(1, len(days) * len(team) * 0.8))
            for day in days:
                for consultant in team:
                    if rng.random() < chance:
                        self.rows["consultant_days"].append({
                            "branch_code": b.code, "work_date": day, "consultant": consultant,
                            "phase": self._phase(b, day), "days": rng.choice([1.0, 1.0, 1.0, 0.5]), "note": None})

    @staticmethod
    def _phase(b: Branch, day: date) -> str:
        if b.actual and day >= b.actual:
            return "support"
        if day < b.kickoff:
            return "preparation"
        if day < b.kickoff + timedelta(days=7):
            return "kickoff"
        until = (b.go_live - day).days
        return "cutover" if until <= 14 else "testing" if until <= 56 else "training"

    def build_daily_entries(self) -> None:
        """Documents per day since go-live (the last four months at most) at every live branch: a learning
        curve in the first weeks, fewer documents at weekends; some branches stay below 95 % same-day."""
        rng, today = self.golive_rng, self.today
        for b in [self.pilot, *self.branches]:
            if not b.actual or b.actual > today:
                continue
            discipline = rng.choices([0.995, 0.975, 0.93], [5, 3, 2])[0]
            volume = max(10, b.headcount // 6)
            day = max(b.actual, today - timedelta(days=120))
            while day <= today:
                documents = rng.randint(volume // 2, volume) // (4 if day.weekday() >= 5 else 1)
                learning = min(1.0, 0.85 + 0.15 * (day - b.actual).days / 28)
                share = min(1.0, rng.gauss(discipline * learning, 0.015))
                self.rows["daily_entries"].append({"branch_code": b.code, "date": day, "documents": documents,
                                                   "entered_same_day": max(0, round(documents * share))})
                day += timedelta(days=1)

    def build_acceptance(self) -> None:
        """Live branches accepted after their first clean month (and paid a month later), some not
        accepted yet; exactly one accepted branch whose payment is overdue."""
        rng, today = self.golive_rng, self.today
        rows = []
        for b in [self.pilot, *self.branches]:
            if not b.actual or b.actual > today:
                continue
            accepted = b.actual + timedelta(days=rng.randint(35, 75))
            if accepted > today or (b.profile != "pilot" and rng.random() < 0.25):
                accepted = None
            due = accepted + timedelta(days=30) if accepted else None
            paid = due + timedelta(days=rng.randint(-5, 10)) if due and due + timedelta(days=10) <= today else None
            rows.append({"branch_code": b.code, "accepted_on": accepted, "payment_due": due,
                         "payment_received_on": paid})
        unpaid = [r for r in rows if r["payment_due"] and r["payment_due"] < today]
        if unpaid:
            late = max(unpaid, key=lambda r: r["payment_due"])  # the most recent one: one payment overdue
            for row in unpaid:
                received = row["payment_received_on"]
                row["payment_received_on"] = None if row is late else received or row["payment_due"]
        self.rows["acceptance"].extend(rows)

    # --- the rollout office's records ---
    def build_raid(self) -> None:
        """The RAID log, template deviations and requirement sign-off, from their own stream: actions from the
        weekly project meetings since kick-off (most done on time, some overdue), risks of every band, issues,
        decisions, the programme's own items, and deviations of every decision, some blocking a go-live
        within 30 days; most branches past kick-off signed their requirement analysis."""
        rng, today = self.raid_rng, self.today
        branch_rows = {r["branch_code"]: r for r in self.rows["branches"]}
        count = 0

        def add(kind: str, branch: str | None, title: str, raised: date, **values: Any) -> None:
            nonlocal count
            count += 1
            self.rows["raid"].append({"raid_code": f"R{count:05d}", "kind": kind, "branch_code": branch,
                                      "title": title, "raised_on": raised, "status": "open", **values})

        for kind, title, probability, impact in PROGRAMME_ITEMS:
            raised = today - timedelta(days=rng.randint(10, 90))
            due = raised + timedelta(days=14) if kind == "action" else None
            closed = raised + timedelta(days=5) if kind == "decision" else None
            add(kind, None, title, raised, owner="总部项目办", due_date=due, probability=probability, impact=impact,
                status="closed" if closed else "open", closed_on=closed, source="steering committee",
                response="mitigate" if kind == "risk" else None)
        for b in self.branches:
            if not b.kickoff or b.kickoff > today:
                continue
            owner = b.people.get("project_manager")
            if rng.random() < 0.8:
                signed = b.kickoff + timedelta(days=rng.randint(10, 40))
                branch_rows[b.code]["requirements_signed_on"] = min(today, signed)
            end = min(today, b.actual + timedelta(days=30)) if b.actual else today
            meetings = [b.kickoff + timedelta(days=7 * k) for k in range(1, 1 + (end - b.kickoff).days // 7)]
            for meeting in meetings[-3:]:
                for _ in range(rng.randint(0, 2)):
                    due = meeting + timedelta(days=rng.choice([7, 7, 14]))
                    done = due < today and rng.random() < 0.85
                    closed = min(today, due - timedelta(days=rng.randint(0, 3))) if done else None
                    add("action", b.code, rng.choice(ACTION_TITLES), meeting, owner=owner, due_date=due,
                        status="closed" if closed else rng.choice(["open", "in_progress"]), closed_on=closed,
                        source=f"weekly meeting {meeting.isoformat()}")
            for _ in range(rng.choices([0, 1, 2, 3], [3, 4, 2, 1])[0]):
                raised = b.kickoff + timedelta(days=rng.randint(0, max(0, (end - b.kickoff).days)))
                probability, impact = rng.choices([1, 2, 3, 4, 5], [2, 4, 4, 2, 1])[0], rng.randint(1, 5)
                closed = raised + timedelta(days=rng.randint(7, 40)) if rng.random() < 0.3 else None
                closed = closed if closed and closed <= today else None
                add("risk", b.code, rng.choice(RISK_TITLES), raised, owner=owner, probability=probability,
                    impact=impact, response=rng.choice(["mitigate", "mitigate", "accept", "avoid", "transfer"]),
                    status="closed" if closed else "open", closed_on=closed, source="weekly meeting")
            if not b.actual and rng.random() < 0.08:  # escalated to the steering committee
                add("risk", b.code, rng.choice(RISK_TITLES), today - timedelta(days=rng.randint(0, 20)), owner=owner,
                    probability=rng.choice([4, 5]), impact=5, response="mitigate", status="in_progress",
                    source="steering committee")
            for _ in range(rng.choices([0, 1, 2], [5, 4, 1])[0]):
                raised = b.kickoff + timedelta(days=rng.randint(0, max(0, (end - b.kickoff).days)))
                closed = raised + timedelta(days=rng.randint(3, 30)) if rng.random() < 0.5 else None
                closed = closed if closed and closed <= today else None
                add("issue", b.code, rng.choice(ISSUE_TITLES), raised, owner=owner, impact=rng.randint(1, 5),
                    status="closed" if closed else "in_progress", closed_on=closed)
            if rng.random() < 0.4:
                raised = b.kickoff + timedelta(days=rng.randint(0, max(0, (end - b.kickoff).days)))
                add("decision", b.code, rng.choice(DECISION_TITLES), raised, owner=owner, status="closed",
                    closed_on=min(today, raised + timedelta(days=rng.randint(0, 7))), source="weekly meeting")
            self._deviations(b, end)

    def _deviations(self, b: Branch, end: date) -> None:
        """A branch's requirements against the template: decided (approved, rejected, after go-live) or still
        proposed; a branch going live within 30 days sometimes still has a blocking one open."""
        rng, today = self.raid_rng, self.today
        soon = not b.actual and b.go_live is not None and 0 <= (b.go_live - today).days <= 30
        first_soon = soon and not any(r["blocks_go_live"] and r["decision"] == "proposed" and r["branch_code"] in
                                      self._soon for r in self.rows["deviations"])
        if soon:
            self._soon.add(b.code)
        count = rng.choices([0, 1, 2, 3], [3, 4, 2, 1])[0] + (1 if first_soon or (soon and rng.random() < 0.3) else 0)
        missing = [d for d in DEVIATION_DECISIONS if d not in self._decisions]
        for index in range(max(count, 2 if missing else 0)):
            kind, title = rng.choice(DEVIATION_TITLES)
            raised = b.kickoff + timedelta(days=rng.randint(0, max(0, min(60, (end - b.kickoff).days))))
            decision = rng.choices(DEVIATION_DECISIONS, [2, 4, 2, 3])[0]
            missing = [d for d in DEVIATION_DECISIONS if d not in self._decisions]
            if missing:  # every decision appears, at any size
                decision = missing[0]
            blocks = rng.random() < (0.5 if soon else 0.25)
            if first_soon and index == 0:  # a go-live within 30 days blocked by an open requirement
                decision, blocks = "proposed", True
            self._decisions.add(decision)
            decided = min(today, raised + timedelta(days=rng.randint(3, 21))) if decision != "proposed" else None
            delivered = None
            if decision == "approved" and rng.random() < 0.6:
                delivered = decided + timedelta(days=rng.randint(5, 40))
                delivered = delivered if delivered <= today else None
            self.rows["deviations"].append({
                "deviation_code": f"DV{len(self.rows['deviations']) + 1:05d}", "branch_code": b.code,
                "module": rng.choice(["finance", "supply_chain", "production"]), "process": None, "title": title,
                "kind": kind, "raised_on": raised, "decision": decision, "decided_on": decided,
                "effort_days": rng.choice([0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 15.0]),
                "blocks_go_live": blocks, "delivered_on": delivered})

    def build(self) -> dict[str, list[dict[str, Any]]]:
        self.build_branches()
        self.build_people()
        self.build_checklists()
        self.build_master_data()
        self.build_executives()
        self.build_lessons()
        self.build_problems()
        self.build_kickoffs()
        self.build_consultant_days()
        self.build_daily_entries()
        self.build_acceptance()
        self.build_raid()
        return self.rows


def demo_tables(branches: int = 40, seed: int = 7, today: date | None = None) -> dict[str, list[dict[str, Any]]]:
    """The demo portfolio's rows per sheet (python values; nothing written)."""
    if not 1 <= branches <= MAX_BRANCHES:
        raise ValueError(f"branches must be from 1 to {MAX_BRANCHES}")
    return _Builder(branches, seed, today or date.today()).build()


def demo_workbook(branches: int = 40, seed: int = 7, today: date | None = None) -> RawWorkbook:
    """The demo portfolio as a workbook the importer reads (named "demo": the app's demo banner)."""
    today = today or date.today()
    tables = demo_tables(branches, seed, today)
    digest = hashlib.sha256(f"demo:seed={seed}:branches={branches}:today={today.isoformat()}".encode()).hexdigest()
    sheets = {name: RawSheet.from_rows(name, rows)
              for name, rows in tables.items() if rows}
    return RawWorkbook(file_name=DEMO_FILE_NAME, sha256=digest, sheets=sheets)


def build_demo(db: Database, branches: int = 40, seed: int = 7, today: date | None = None,
               history: bool = True, progress: Progress = silent) -> dict[str, int]:
    """Write the demo portfolio into db through the importer, then (unless history=False) its past
    weekly reviews, decisions and a saved plan (rollout.demo.history); returns rows written per table.
    progress hears the steps (inventing the rows, loading them, the history) and 1.0 at the end."""
    from rollout.demo.history import DEMO, build_history
    from rollout.exchange.importer import load

    today = today or date.today()
    progress(0.0, gettext("inventing the demo portfolio"))
    workbook = demo_workbook(branches, seed, today)
    result = load(db, workbook, today=today, progress=part(progress, 0.15, 0.5 if history else 1.0),
                  caller=DEMO)
    del workbook  # the rows are in the store now: free them before the history's snapshots
    counts = {table: counts.inserted for table, counts in result.counts.items()}
    if history:
        counts.update(build_history(db, today, branches, progress=part(progress, 0.5, 1.0)))
    progress(1.0, gettext("done"))
    return counts
