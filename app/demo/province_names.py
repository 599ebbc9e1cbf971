"""Word lists of the province-scale demo: transfer pairs, products and Chinese name composers."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest

from app.domain.codes import FundClass, Intensity
from app.domain.uscc import CHARSET, make_uscc

PAIRS = (  # (source, destination): eastern sources, central and western destinations
    ("440300", "441600"), ("440300", "360700"), ("310000", "340100"), ("320500", "341100"),
    ("440100", "430400"), ("440600", "431000"), ("441900", "431100"), ("440300", "510100"),
    ("441900", "450400"), ("330100", "360100"), ("320200", "340200"), ("440100", "450200"),
    ("350500", "360800"), ("330200", "361100"), ("310000", "510600"), ("440300", "500112"),
    ("442000", "451100"), ("320100", "340500"), ("330400", "341800"), ("440600", "450900"),
    ("320500", "510700"), ("330600", "360900"), ("441300", "430200"), ("330100", "511500"),
    ("440600", "510500"), ("350100", "360300"), ("320200", "500113"), ("440400", "430100"),
    ("310000", "341500"), ("330700", "511000"), ("330200", "500101"), ("320400", "341200"),
    ("330300", "430700"), ("350500", "430300"), ("440100", "451400"), ("441900", "511600"),
    ("440600", "450300"), ("350200", "361000"), ("440300", "450100"), ("320500", "340300"),
)

# (division, intensity, products, enterprise word, tce of energy per 10,000 yuan of output)
INDUSTRIES = tuple((division, intensity, tuple(products.split()), word, energy) for
                   division, intensity, products, word, energy in (
    ("39", Intensity.TECHNOLOGY, "智能终端 集成电路封测 显示模组 电子元器件 印制电路板",
     "电子科技", 0.02),
    ("38", Intensity.TECHNOLOGY, "动力电池 光伏组件 储能系统 智能家电 电机电控",
     "新能源科技", 0.03),
    ("36", Intensity.CAPITAL, "汽车零部件 新能源汽车电驱 汽车座椅 汽车线束", "汽车部件", 0.04),
    ("34", Intensity.CAPITAL, "数控机床 工业机器人 压缩机 液压件", "智能装备", 0.04),
    ("35", Intensity.TECHNOLOGY, "医疗器械 环保设备 专用设备", "医疗科技", 0.02),
    ("27", Intensity.TECHNOLOGY, "生物医药 原料药 医用敷料", "生物医药", 0.05),
    ("26", Intensity.CAPITAL, "锂电材料 精细化工 电子化学品", "新材料", 0.12),
    ("30", Intensity.CAPITAL, "新型建材 特种玻璃 建筑陶瓷", "建材", 0.15),
    ("32", Intensity.CAPITAL, "铝型材 电解铜箔 稀土永磁材料", "金属材料", 0.10),
    ("33", Intensity.LABOUR, "五金制品 紧固件 金属门窗", "五金制品", 0.05),
    ("17", Intensity.LABOUR, "纺织 印染 家纺", "纺织", 0.06),
    ("18", Intensity.LABOUR, "服装 针织服饰 运动服饰", "服饰", 0.02),
    ("19", Intensity.LABOUR, "鞋业 箱包 皮具", "鞋业", 0.02),
    ("21", Intensity.LABOUR, "家具 定制家居 办公家具", "家居", 0.03),
    ("24", Intensity.LABOUR, "玩具 文体用品 工艺礼品", "文体用品", 0.02),
    ("14", Intensity.LABOUR, "食品 调味品 预制菜", "食品", 0.03),
    ("29", Intensity.LABOUR, "塑料制品 橡胶制品", "塑胶", 0.05),
    ("65", Intensity.PRODUCER_SERVICE, "工业软件 数据中心 工业互联网平台", "信息技术", 0.01),
    ("59", Intensity.PRODUCER_SERVICE, "冷链物流 仓储配送", "供应链管理", 0.01),
    ("74", Intensity.PRODUCER_SERVICE, "检验检测 工业设计", "技术服务", 0.01),
))
TWO_HIGH = frozenset({"26", "30", "32"})
"""Divisions whose projects may be energy- and emission-intensive (两高)."""

_MAKING = ("生产基地", "产业园", "智能制造项目", "扩产项目", "生产线项目", "产业化项目",
           "研发制造基地")
_SERVING = ("服务中心", "运营中心", "产业基地")
_BRAND = "华鑫瑞恒嘉盛宏信达源隆博远创科联汇通泰丰德润安宇星海天富铭晟"
_PARKS = ("高新技术产业开发区", "经济技术开发区", "产业转移工业园", "承接产业转移示范园")
_BANKS = ("国家开发银行", "中国农业发展银行", "工银金融资产投资有限公司",
          "建信金融资产投资有限公司", "中银金融资产投资有限公司", "交银金融资产投资有限公司",
          "农银金融资产投资有限公司")
_MANAGERS = ("产业投资基金管理有限公司", "国投创新资本管理有限公司",
             "产业引导股权投资基金管理有限公司", "金控资本管理有限公司")
DEST_PROVINCES = ("340000", "360000", "430000", "450000", "510000", "500000")
SOURCE_SPONSORS = ("310000", "320500", "330000", "330100", "350000", "441900", "320000")


def short(name: str) -> str:
    """A region's name without its administrative suffix (深圳市 → 深圳, 浦东新区 → 浦东)."""
    for suffix in ("新区", "土家族苗族自治州", "壮族自治区", "市", "区", "县", "省"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def brand(rng: random.Random) -> str:
    """A two-character brand such as 瑞鑫."""
    return "".join(rng.sample(_BRAND, 2))


def enterprise(rng: random.Random, city: str, word: str) -> str:
    """The name of the enterprise that moves, registered in the source ``city``."""
    prefix = short(city) + ("市" if city.endswith("市") and rng.random() < 0.6 else "")
    form = "股份有限公司" if rng.random() < 0.2 else "有限公司"
    return f"{prefix}{brand(rng)}{word}{form}"


def project_name(rng: random.Random, products: tuple[str, ...], intensity: Intensity) -> str:
    """A project name such as 动力电池智能制造项目."""
    suffix = rng.choice(_SERVING if intensity is Intensity.PRODUCER_SERVICE else _MAKING)
    prefix = brand(rng) if rng.random() < 0.3 else ""
    return f"{prefix}{rng.choice(products)}{suffix}"


def park(rng: random.Random, source: str, destination: str, joint: bool) -> str:
    """A park in the destination: a joint park names both places (深赣产业合作园)."""
    if joint:
        return f"{short(source)[0]}{short(destination)[0]}产业合作园"
    return f"{short(destination)}{rng.choice(_PARKS)}"


def uscc(rng: random.Random, region_code: str) -> str:
    """A valid unified social credit code of an enterprise registered in ``region_code``."""
    return make_uscc("91" + region_code + "MA" + "".join(rng.choices(CHARSET, k=7)))


@dataclass(frozen=True)
class FundSpec:
    """A fund of the province demo. ``size`` in yuan."""

    code: str
    name: str
    sponsor: str
    manager: str
    vintage: int
    size: Decimal
    fund_class: FundClass


def fund_specs(rng: random.Random, count: int, names: dict[str, tuple[str, str]],
               fixed: list[tuple[str, str, str, str]]) -> list[FundSpec]:
    """``count`` funds: ``fixed`` (code, name, sponsor, manager) first, then destination
    prefecture funds interleaved with provincial and eastern (source) funds."""
    taken = {code for code, *_ in fixed}
    sponsors = {sponsor for _, _, sponsor, _ in fixed}
    places = [d for _, d in PAIRS if d not in sponsors]
    others = [c for pair in zip_longest(DEST_PROVINCES, SOURCE_SPONSORS) for c in pair if c]
    order = []
    for n, code in enumerate(dict.fromkeys(places)):
        order.append(code)
        if n % 3 == 2 and others:
            order.append(others.pop(0))
    order += others
    specs = [(code, name, sponsor, manager) for code, name, sponsor, manager in fixed]
    for sponsor in order:
        name, name_en = names[sponsor]
        base = name_en.split()[0].upper().replace("'", "")
        if sponsor.startswith("50") and sponsor != "500000":
            name = "重庆市" + name  # a district of a municipality
        code = next(f"{base}-{n:02d}" for n in range(1, 99) if f"{base}-{n:02d}" not in taken)
        taken.add(code)
        if sponsor in DEST_PROVINCES:
            title = f"{name}承接产业转移发展基金"
        elif sponsor in SOURCE_SPONSORS:
            title = f"{name}产业协作发展基金"
        else:
            title = f"{name}承接产业转移引导基金"
        specs.append((code, title, sponsor, f"{short(name)}{rng.choice(_MANAGERS)}"))
    funds = []
    for code, name, sponsor, manager in specs[:count]:
        provincial = sponsor.endswith("0000")
        size = rng.randrange(30, 100) if provincial else rng.randrange(5, 30)
        funds.append(FundSpec(code, name, sponsor, manager, rng.randrange(2015, 2022),
                              Decimal(size) * 100_000_000,
                              FundClass.VENTURE if rng.random() < 0.2 else FundClass.INDUSTRIAL))
    return funds


def lps(rng: random.Random, sponsor_name: str, size: Decimal) -> list[tuple[str, str, Decimal]]:
    """(investor, investor type code, amount) of a fund's LPs, adding up to ``size``."""
    unit = Decimal(10_000)
    government = (size * Decimal(rng.randrange(20, 41)) / 100 / unit).quantize(1) * unit
    soe = (size * Decimal(rng.randrange(15, 31)) / 100 / unit).quantize(1) * unit
    bank = (size * Decimal(rng.randrange(15, 26)) / 100 / unit).quantize(1) * unit
    return [
        (f"{sponsor_name}财政局（政府引导基金）", "GOVERNMENT", government),
        (f"{short(sponsor_name)}国有资本投资运营有限公司", "SOE", soe),
        (rng.choice(_BANKS), "FINANCIAL", bank),
        (f"{brand(rng)}控股集团有限公司", "PRIVATE", size - government - soe - bank),
    ]
