"""Word lists of the nation-scale demo: ~600 transfer pairs and ~1,600 guidance funds, composed
from the regions the demo loads (the province demo's 40 pairs first)."""

from __future__ import annotations

import random
from decimal import Decimal

from app.demo.province_names import PAIRS, FundSpec, short
from app.domain.codes import FundClass
from app.domain.regions import PREFECTURE, level

SOURCES = ("31", "32", "33", "35", "44")
"""Eastern provinces whose prefectures (Shanghai as a whole) send industry."""
DESTINATIONS = ("34", "36", "43", "45", "50", "51")
"""Central and western provinces whose prefectures (Chongqing's districts) take it on."""
_MANAGERS = ("产业投资基金管理有限公司", "国投创新资本管理有限公司", "金控资本管理有限公司",
             "产业引导股权投资基金管理有限公司", "创新投资管理有限公司")
_KINDS = ("承接产业转移引导基金", "产业协作发展基金", "产业投资引导基金", "先进制造业发展基金",
          "创新创业投资引导基金", "乡村振兴产业基金", "战略性新兴产业基金")


def nation_pairs(rng: random.Random, count: int, codes: list[str]) -> tuple[tuple[str, str], ...]:
    """``count`` distinct (source, destination) pairs: the province demo's, then eastern
    prefectures paired with central and western ones at random."""
    sources = sorted({"310000"} | {c for c in codes if c[:2] in SOURCES[1:]
                                   and level(c) == PREFECTURE})
    destinations = sorted(c for c in codes if c[:2] in DESTINATIONS and (
        level(c) == PREFECTURE or (c.startswith("50") and c != "500000")))
    known = set(PAIRS)
    others = [(s, d) for s in sources for d in destinations if (s, d) not in known]
    extra = rng.sample(others, max(0, min(count - len(PAIRS), len(others))))
    return (PAIRS + tuple(extra))[:count]


def nation_fund_specs(rng: random.Random, count: int, names: dict[str, tuple[str, str]],
                      taken: set[str]) -> list[FundSpec]:
    """``count`` funds sponsored by every loaded region in turn (provinces, prefectures and
    counties), coded ``<PLACE>-NN`` past the codes ``taken``; sizes in yuan."""
    sponsors = sorted(names)
    rng.shuffle(sponsors)
    taken = set(taken)
    specs = []
    for n in range(count):
        sponsor = sponsors[n % len(sponsors)]
        name, name_en = names[sponsor]
        base = "".join(ch for ch in name_en.split()[0].upper() if ch.isalnum())[:12] or sponsor
        code = next(f"{base}-{k:02d}" for k in range(1, 1000) if f"{base}-{k:02d}" not in taken)
        taken.add(code)
        round_ = n // len(sponsors) + 1
        title = f"{name}{_KINDS[(n + round_) % len(_KINDS)]}" + (f"（{round_}期）" if round_ > 1
                                                                 else "")
        provincial = sponsor.endswith("0000")
        size = rng.randrange(30, 100) if provincial else rng.randrange(3, 30)
        specs.append(FundSpec(code, title, sponsor, f"{short(name)}{rng.choice(_MANAGERS)}",
                              rng.randrange(2015, 2023), Decimal(size) * 100_000_000,
                              FundClass.VENTURE if rng.random() < 0.2 else FundClass.INDUSTRIAL))
    return specs
