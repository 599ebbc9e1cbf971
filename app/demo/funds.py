"""A realistic, deterministic demo: regions, funds with LPs and three years of activity,
projects across the cooperation modes, investments with ledgers and valuations, one user per role.
Everything is created through the same services users go through."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.parks import load_parks_demo
from app.demo.settlement import load_settlement_demo
from app.demo.sharing import load_sharing_demo
from app.domain.codes import (
    CooperationMode,
    FundClass,
    Instrument,
    Intensity,
    InvestorType,
    MovementType,
    ProjectStatus,
    Role,
    TransactionType,
)
from app.domain.quarter import Quarter
from app.domain.uscc import make_uscc
from app.models import Fund
from app.services.access import users
from app.services.access.scopes import SYSTEM
from app.services.exchange.imports.catalogue import import_catalogue
from app.services.funds import investments, projects
from app.services.funds import register as funds
from app.services.notifications import inbox
from app.services.reference import lookups as reference
from app.services.reference.catalogue import EditionData

SAMPLE_REGIONS = Path(__file__).resolve().parents[1] / "data" / "regions_sample.csv"
SAMPLE_CATALOGUE = Path(__file__).resolve().parents[1] / "data" / "catalogue-sample.csv"
WAN = Decimal(10_000)


@dataclass(frozen=True)
class DemoUser:
    """A demo sign-in, printed for the person trying the app."""

    email: str
    password: str
    role: str
    scope: str
    name: str = ""


DEMO_USERS = (
    DemoUser("admin@demo.example", "demo-admin-2026", "ADMIN", "", "陈静"),
    DemoUser("manager@demo.example", "demo-manager-2026", "FUND_MANAGER", "HF-01 SZHY-01",
             "刘洋"),
    DemoUser("manager2@demo.example", "demo-manager2-2026", "FUND_MANAGER", "GD-01 CD-01",
             "黄丽"),
    DemoUser("bureau.shenzhen@demo.example", "demo-bureau-2026", "FINANCE_BUREAU", "440300",
             "张敏"),
    DemoUser("bureau.heyuan@demo.example", "demo-bureau-2026", "FINANCE_BUREAU", "441600",
             "李伟"),
    DemoUser("auditor@demo.example", "demo-auditor-2026", "AUDITOR", "", "王芳"),
)

FUNDS = (
    ("HF-01", "合肥市承接产业转移引导基金", "340100", "合肥产投资本管理有限公司", 2022,
     1_000_000_000),
    ("SZHY-01", "深河产业共建发展基金", "440300", "深圳市深汕投资管理有限公司", 2023,
     2_000_000_000),
    ("GD-01", "广东省产业有序转移基金", "440000", "粤财基金管理有限公司", 2021, 3_000_000_000),
    ("CD-01", "成都承接东部产业转移基金", "510100", "成都产业资本管理有限公司", 2023, 800_000_000),
)

# (code, name, enterprise, industry, intensity, source, destination, mode, park)
PROJECTS = (
    ("HY-001", "新能源电池模组生产基地", "深圳市鹏程电池科技有限公司", "38", Intensity.TECHNOLOGY,
     "440306", "441602", CooperationMode.JOINT_PARK, "深河产业共建示范区"),
    ("HY-002", "智能家电整机制造项目", "深圳市华曦电器有限公司", "38", Intensity.LABOUR,
     "440307", "441621", CooperationMode.CHAIN_DOCKING, "河源高新区"),
    ("HY-003", "精密模具产业园", "深圳市精铸模具有限公司", "35", Intensity.CAPITAL,
     "440309", "441602", CooperationMode.JOINT_PARK, "深河产业共建示范区"),
    ("HY-004", "电子元器件封装测试线", "深圳市芯联微电子有限公司", "39", Intensity.TECHNOLOGY,
     "440305", "441625", CooperationMode.TECH_TRANSFER, "东源产业园"),
    ("HY-005", "服装智能制造工厂", "深圳市锦衣服饰有限公司", "18", Intensity.LABOUR,
     "440303", "441622", CooperationMode.TRUSTEESHIP, "龙川产业转移工业园"),
    ("HY-006", "医疗器械生产项目", "深圳市康泰医疗器械有限公司", "35", Intensity.TECHNOLOGY,
     "440310", "441602", CooperationMode.CHAIN_DOCKING, "河源高新区"),
    ("HY-007", "新型建材生产线", "深圳市坚石建材有限公司", "30", Intensity.CAPITAL,
     "440308", "441623", CooperationMode.OTHER, "连平工业园"),
    ("HY-008", "工业软件与检测服务中心", "深圳市智测科技有限公司", "65", Intensity.PRODUCER_SERVICE,
     "440304", "441602", CooperationMode.TECH_TRANSFER, "深河产业共建示范区"),
    ("HF-001", "显示面板配套材料项目", "上海光显材料股份有限公司", "39", Intensity.TECHNOLOGY,
     "310115", "340104", CooperationMode.CHAIN_DOCKING, "合肥高新区"),
    ("HF-002", "新能源汽车零部件基地", "苏州驰远汽车部件有限公司", "36", Intensity.CAPITAL,
     "320500", "340121", CooperationMode.CHAIN_DOCKING, "长丰双凤经开区"),
    ("HF-003", "集成电路测试项目", "上海芯测半导体有限公司", "39", Intensity.TECHNOLOGY,
     "310112", "340100", CooperationMode.TECH_TRANSFER, "合肥经开区"),
    ("HF-004", "家电压缩机生产线", "宁波冷源机电有限公司", "34", Intensity.CAPITAL,
     "330200", "340122", CooperationMode.JOINT_PARK, "肥东经开区"),
    ("HF-005", "光伏组件智能工厂", "无锡晶阳光伏科技有限公司", "38", Intensity.TECHNOLOGY,
     "320200", "341000", CooperationMode.CHAIN_DOCKING, "黄山经开区"),
    ("HF-006", "纺织印染转型项目", "绍兴锦纶纺织有限公司", "17", Intensity.LABOUR,
     "330600", "341500", CooperationMode.TRUSTEESHIP, "六安经开区"),
    ("GD-001", "家具智能制造园", "佛山市美居家具有限公司", "21", Intensity.LABOUR,
     "440600", "441900", CooperationMode.JOINT_PARK, "东莞—韶关产业转移园"),
    ("GD-002", "五金制品产业园", "东莞市恒力五金有限公司", "33", Intensity.LABOUR,
     "441900", "440200", CooperationMode.JOINT_PARK, "韶关产业转移工业园"),
    ("GD-003", "陶瓷新材料项目", "佛山市陶源新材料有限公司", "30", Intensity.CAPITAL,
     "440600", "441800", CooperationMode.CHAIN_DOCKING, "清远华侨工业园"),
    ("GD-004", "电路板生产基地", "广州市联创电路有限公司", "39", Intensity.TECHNOLOGY,
     "440100", "441500", CooperationMode.CHAIN_DOCKING, "汕尾高新区"),
    ("GD-005", "食品加工产业园", "广州市穗香食品有限公司", "14", Intensity.LABOUR,
     "440100", "445300", CooperationMode.JOINT_PARK, "云浮新区"),
    ("GD-006", "冷链物流与仓储中心", "深圳市冻达供应链有限公司", "59", Intensity.PRODUCER_SERVICE,
     "440300", "440800", CooperationMode.OTHER, "湛江经开区"),
    ("GD-007", "锂电材料加工项目", "惠州市锂源材料有限公司", "26", Intensity.CAPITAL,
     "441300", "441400", CooperationMode.CHAIN_DOCKING, "梅州高新区"),
    ("GD-008", "工业机器人集成项目", "广州市智造机器人有限公司", "34", Intensity.TECHNOLOGY,
     "440100", "441200", CooperationMode.TECH_TRANSFER, "肇庆高新区"),
    ("CD-001", "消费电子组装基地", "深圳市锐思电子有限公司", "39", Intensity.LABOUR,
     "440306", "510100", CooperationMode.CHAIN_DOCKING, "成都高新西区"),
    ("CD-002", "生物医药中试基地", "上海瑞康生物医药有限公司", "27", Intensity.TECHNOLOGY,
     "310115", "510100", CooperationMode.TECH_TRANSFER, "成都天府国际生物城"),
    ("CD-003", "汽车座椅生产项目", "苏州安座汽车内饰有限公司", "36", Intensity.CAPITAL,
     "320500", "510600", CooperationMode.CHAIN_DOCKING, "德阳经开区"),
    ("CD-004", "鞋服制造转移项目", "泉州市步步鞋业有限公司", "19", Intensity.LABOUR,
     "350500", "511000", CooperationMode.TRUSTEESHIP, "内江经开区"),
    ("CD-005", "数据中心与算力服务", "杭州云擎数据科技有限公司", "65", Intensity.PRODUCER_SERVICE,
     "330100", "511900", CooperationMode.OTHER, "巴中经开区"),
    ("CD-006", "铝材深加工项目", "佛山市亚铝型材有限公司", "32", Intensity.CAPITAL,
     "440600", "510500", CooperationMode.JOINT_PARK, "泸州高新区"),
    ("JX-001", "稀土永磁电机项目", "深圳市磁动科技有限公司", "38", Intensity.TECHNOLOGY,
     "440307", "360700", CooperationMode.CHAIN_DOCKING, "赣州高新区"),
    ("JX-002", "家具产业协作园", "东莞市森木家具有限公司", "21", Intensity.LABOUR,
     "441900", "360700", CooperationMode.JOINT_PARK, "南康家具产业园"),
)

FUND_PROJECTS = {
    "HF-01": ["HF-001", "HF-002", "HF-003", "HF-004", "HF-005", "HF-006"],
    "SZHY-01": ["HY-001", "HY-002", "HY-003", "HY-004", "HY-005", "HY-006", "HY-008"],
    "GD-01": ["GD-001", "GD-002", "GD-003", "GD-004", "GD-005", "GD-006", "GD-007", "GD-008",
              "HY-007"],
    "CD-01": ["CD-001", "CD-002", "CD-003", "CD-004", "CD-005", "CD-006"],
}


def is_loaded(session: Session) -> bool:
    """Whether the demo funds are there already."""
    return session.scalar(select(Fund.id).where(Fund.code == FUNDS[0][0])) is not None


def load_demo(session: Session, *, seed: int = 2026, through: dt.date | None = None) -> None:
    """Create the demo through the services; activity runs from 2023 to ``through``."""
    through = through or dt.date(2026, 9, 30)
    rng = random.Random(seed)
    reference.load_builtin_reference(session)
    reference.import_regions(session, SAMPLE_REGIONS.read_text(encoding="utf-8").splitlines())
    by_code = {}
    for code, name, sponsor, manager, vintage, target in FUNDS:
        by_code[code] = funds.create_fund(session, SYSTEM, funds.FundData(
            code=code, name=name, sponsor_region=sponsor, manager=manager,
            fund_class=FundClass.VENTURE if code == "CD-01" else FundClass.INDUSTRIAL,
            vintage=vintage, target_size=Decimal(target),
            term_start_on=dt.date(vintage, 12, 1), term_end_on=dt.date(vintage + 10, 11, 30)))
    project_by_code = {}
    for n, (code, name, enterprise, industry, intensity, source, destination, mode, park) in \
            enumerate(PROJECTS):
        project_by_code[code] = projects.create_project(session, SYSTEM, projects.ProjectData(
            code=code, name=name, enterprise=enterprise, industry=industry, intensity=intensity,
            source_region=source, destination_region=destination, cooperation_mode=mode,
            status=(ProjectStatus.OPERATING, ProjectStatus.IMPLEMENTATION,
                    ProjectStatus.PIPELINE)[n % 3],
            uscc=make_uscc(f"91{destination}MA{n:05d}X0"), park=park,
            planned_investment=Decimal(rng.randrange(5, 60)) * 10 * WAN * 100,
            planned_jobs=rng.randrange(80, 1500),
            land_area=Decimal(rng.randrange(3000, 40000)) / 100,
            production_start_on=dt.date(2024 + n % 3, 1 + n % 12, 1),
            is_two_high=code in ("HY-007", "CD-006"),
            capacity_replacement_ref="粤工信产能置换〔2024〕12号" if code == "HY-007"
            else "川经信产能置换〔2024〕7号" if code == "CD-006" else ""))
    for code, fund in by_code.items():
        _fund_activity(session, rng, fund, FUND_PROJECTS[code], through)
    for demo_user in DEMO_USERS:
        _create_user(session, demo_user)
    closed = Quarter.containing(through) - 1
    load_sharing_demo(session, rng, last_closed=closed, open_quarter=closed + 1)
    load_settlement_demo(session, through)
    load_sample_catalogue(session)
    load_parks_demo(session, rng, open_quarter=closed + 1)
    # The demo's history (quarters closed in 2024 …) stays in the inboxes, read, never e-mailed.
    inbox.settle_history(session)



def load_sample_catalogue(session: Session) -> None:
    """Import the sample catalogue edition (a few cities' entries, marked as a sample) and make
    it current: every demo project is screened against it."""
    with SAMPLE_CATALOGUE.open("rb") as stream:
        result = import_catalogue(session, SYSTEM, stream, SAMPLE_CATALOGUE.name, data=EditionData(
            name="2018 示例", published_on=dt.date(2018, 12, 29), is_sample=True,
            source_note="A sample drawn from the 2018 catalogue, mapped to GB/T 4754 by the "
                        "project; not the catalogue itself."), make_current=True)
    if not result.ok:  # the shipped file is checked by the tests
        raise ValueError("; ".join(result.errors))


def _fund_activity(session: Session, rng: random.Random, fund: Fund, project_codes: list[str],
                   through: dt.date) -> None:
    size = fund.target_size
    start = dt.date(max(fund.vintage, 2022), 12, 1)
    bank = "徽商银行" if fund.code == "HF-01" else "国有商业银行理财子公司"
    lps = ((f"{fund.sponsor_region.name}财政局（政府引导基金）", InvestorType.GOVERNMENT,
            Decimal("0.30")),
           ("省属国有资本投资运营公司", InvestorType.SOE, Decimal("0.20")),
           (bank, InvestorType.FINANCIAL, Decimal("0.25")),
           ("社会资本有限合伙人", InvestorType.PRIVATE, Decimal("0.25")))
    for investor, kind, share in lps:
        funds.add_commitment(session, SYSTEM, fund.id, funds.CommitmentData(
            investor, kind, start, size * share))
    calls = [(dt.date(2023, 1, 15), Decimal("0.40")), (dt.date(2024, 1, 15), Decimal("0.30")),
             (dt.date(2025, 7, 15), Decimal("0.15"))]
    for day, share in calls:
        if day <= through:
            funds.record_movement(session, SYSTEM, fund.id, funds.MovementData(
                MovementType.CAPITAL_CALL, day, size * share))
    for year in (2023, 2024, 2025, 2026):
        day = dt.date(year, 3, 31)
        if day <= through:
            funds.record_movement(session, SYSTEM, fund.id, funds.MovementData(
                MovementType.FEE, day, size * Decimal("0.005")))
    funds.record_movement(session, SYSTEM, fund.id, funds.MovementData(
        MovementType.DISTRIBUTION, dt.date(2025, 12, 20), size * Decimal("0.05")))
    instruments = (Instrument.EQUITY, Instrument.EQUITY, Instrument.LOAN, Instrument.EQUITY,
                   Instrument.GRANT, Instrument.LOAN, Instrument.EQUITY, Instrument.EQUITY,
                   Instrument.LOAN)
    for n, code in enumerate(project_codes):
        investment = investments.open_investment(session, SYSTEM, fund.id, code, instruments[n])
        _ledger(session, rng, investment, size, n, through)


def _ledger(session: Session, rng: random.Random, investment, size: Decimal, n: int,
            through: dt.date) -> None:
    record = investments.record_transaction
    committed_on = dt.date(2023, 2 + n, 1)
    amount = (size * Decimal(rng.randrange(4, 11)) / 100).quantize(WAN)
    if investment.instrument is Instrument.GRANT:
        amount = (amount / 5).quantize(WAN)
    record(session, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.COMMITMENT, committed_on, amount))
    first = (amount * Decimal("0.6")).quantize(WAN)
    record(session, SYSTEM, investment.id, investments.TransactionData(
        TransactionType.DISBURSEMENT, committed_on + dt.timedelta(days=20), first))
    second_on = dt.date(2024, 2 + n, 20)
    if n % 4 != 3 and second_on <= through:
        record(session, SYSTEM, investment.id, investments.TransactionData(
            TransactionType.DISBURSEMENT, second_on, amount - first))
    if investment.instrument is Instrument.LOAN:
        for year in (2024, 2025, 2026):
            day = dt.date(year, 6, 30)
            if day <= through:
                principal = (first / 5).quantize(Decimal("0.01"))
                record(session, SYSTEM, investment.id, investments.TransactionData(
                    TransactionType.REPAYMENT, day, principal))
                record(session, SYSTEM, investment.id, investments.TransactionData(
                    TransactionType.INCOME, day, (first * Decimal("0.045")).quantize(
                        Decimal("0.01"))))
    if investment.instrument is Instrument.EQUITY:
        value = first
        quarter_ends = [dt.date(y, m, d) for y in (2023, 2024, 2025, 2026)
                        for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
        for day in quarter_ends:
            if day < committed_on or day > through:
                continue
            if day == through and n % 3 == 2:
                continue  # left unmarked on purpose: the dashboard flags it
            value = (value * Decimal(rng.randrange(96, 112)) / 100).quantize(WAN)
            if day >= second_on and n % 4 != 3 and day == dt.date(2024, 3, 31):
                value += amount - first
            investments.record_valuation(session, SYSTEM, investment.id, day, value)
        if n == 1:
            record(session, SYSTEM, investment.id, investments.TransactionData(
                TransactionType.INCOME, dt.date(2025, 4, 30), (first / 50).quantize(WAN)))


def _create_user(session: Session, demo_user: DemoUser) -> None:
    role = Role(demo_user.role)
    scopes = demo_user.scope.split() or [None]
    grants = [users.GrantSpec(role, fund_code=s) if role is Role.FUND_MANAGER
              else users.GrantSpec(role, region_code=s) for s in scopes]
    name = demo_user.name or {"ADMIN": "系统管理员", "FUND_MANAGER": "基金经理",
                              "FINANCE_BUREAU": "财政局经办", "AUDITOR": "审计员"}[demo_user.role]
    users.create_user(session, demo_user.email, name, demo_user.password, grants)
