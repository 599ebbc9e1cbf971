"""The GB/T 4754-2017 sections and divisions packaged in ``app/data/industry_divisions.csv``."""

from __future__ import annotations

import csv
import dataclasses

import pytest

from app.domain.regions import DATA_DIR, load_industry_divisions

# GB/T 4754-2017: 20 sections (门类) A–T holding 97 divisions (大类) numbered 01–97 without gaps.
SECTION_RANGES = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}


def test_there_are_97_divisions_numbered_01_to_97():
    divisions = [d.division for d in load_industry_divisions()]
    assert len(divisions) == 97
    assert divisions == [f"{n:02d}" for n in range(1, 98)]


def test_sections_are_a_to_t_with_their_division_ranges():
    by_section: dict[str, list[int]] = {}
    for d in load_industry_divisions():
        by_section.setdefault(d.section, []).append(int(d.division))
    assert list(by_section) == list(SECTION_RANGES)
    for section, (first, last) in SECTION_RANGES.items():
        assert by_section[section] == list(range(first, last + 1)), section


def test_manufacturing_is_section_c_divisions_13_to_43():
    manufacturing = [d for d in load_industry_divisions() if 13 <= int(d.division) <= 43]
    assert len(manufacturing) == 31
    assert {d.section for d in manufacturing} == {"C"}
    assert {d.section_name for d in manufacturing} == {"制造业"}
    assert {d.section_name_en for d in manufacturing} == {"Manufacturing"}


def test_each_section_has_one_name_in_each_language():
    names: dict[str, set[tuple[str, str]]] = {}
    for d in load_industry_divisions():
        names.setdefault(d.section, set()).add((d.section_name, d.section_name_en))
    assert all(len(pairs) == 1 for pairs in names.values())
    assert names["A"] == {
        ("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery")
    }
    assert next(iter(names["D"]))[0] == "电力、热力、燃气及水生产和供应业"
    assert next(iter(names["I"]))[0] == "信息传输、软件和信息技术服务业"
    assert next(iter(names["S"]))[0] == "公共管理、社会保障和社会组织"


@pytest.mark.parametrize(
    ("division", "name"),
    [
        ("05", "农、林、牧、渔专业及辅助性活动"),
        ("11", "开采专业及辅助性活动"),
        ("13", "农副食品加工业"),
        ("27", "医药制造业"),
        ("36", "汽车制造业"),
        ("37", "铁路、船舶、航空航天和其他运输设备制造业"),
        ("39", "计算机、通信和其他电子设备制造业"),
        ("43", "金属制品、机械和设备修理业"),
        ("58", "多式联运和运输代理业"),
        ("65", "软件和信息技术服务业"),
        ("79", "土地管理业"),
        ("96", "基层群众自治组织及其他组织"),
        ("97", "国际组织"),
    ],
)
def test_division_names_follow_the_2017_edition(division, name):
    by_code = {d.division: d for d in load_industry_divisions()}
    assert by_code[division].name == name


def test_every_division_has_names_in_both_languages():
    for d in load_industry_divisions():
        for value in (d.section_name, d.section_name_en, d.name, d.name_en):
            assert value and value == value.strip(), d
        assert d.name_en.isascii() and not d.name.isascii(), d
    assert len({d.name for d in load_industry_divisions()}) >= 95  # 70 and 83 repeat their section


def test_industry_file_has_the_documented_header_and_divisions_are_frozen():
    with (DATA_DIR / "industry_divisions.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["section", "section_name", "section_name_en", "division", "name", "name_en"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        load_industry_divisions()[0].name = "x"  # type: ignore[misc]
