"""Region codes (GB/T 2260), the province list with its macro-regions, and the region import."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest

from app.domain.regions import (
    COUNTY,
    DATA_DIR,
    MACRO_REGIONS,
    PREFECTURE,
    PROVINCE,
    RegionCodeError,
    RegionRow,
    ancestor_codes,
    is_within,
    level,
    load_provinces,
    macro_region,
    normalize_code,
    parent_code,
    parse_region_rows,
    province_code,
)

SAMPLE = DATA_DIR / "regions_sample.csv"


def _sample_rows() -> list[RegionRow]:
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows, errors = parse_region_rows(handle)
    assert errors == []
    return rows


# --- provinces ---------------------------------------------------------------------------------


def test_provinces_are_the_31_of_mainland_china_with_unique_codes():
    provinces = load_provinces()
    codes = [p.code for p in provinces]
    assert len(provinces) == 31
    assert len(set(codes)) == 31
    assert len({p.name for p in provinces}) == 31
    assert all(level(code) == PROVINCE for code in codes)
    assert codes[0] == "110000" and codes[-1] == "650000"


def test_provinces_fall_into_the_four_macro_regions_as_the_nbs_counts_them():
    provinces = load_provinces()
    assert {p.macro_region for p in provinces} == set(MACRO_REGIONS)
    counts = Counter(p.macro_region for p in provinces)
    assert counts == {"EAST": 10, "CENTRAL": 6, "WEST": 12, "NORTHEAST": 3}
    by_code = {p.code: p for p in provinces}
    assert by_code["440000"].macro_region == "EAST"
    assert by_code["340000"].macro_region == "CENTRAL"
    assert by_code["510000"].macro_region == "WEST"
    assert by_code["210000"].macro_region == "NORTHEAST"
    assert by_code["150000"].macro_region == "WEST"  # Inner Mongolia is western, not northern
    assert by_code["460000"].macro_region == "EAST"  # Hainan


def test_province_names_are_the_official_ones():
    by_code = {p.code: p for p in load_provinces()}
    assert (by_code["110000"].name, by_code["110000"].name_en) == ("北京市", "Beijing")
    assert (by_code["440000"].name, by_code["440000"].name_en) == ("广东省", "Guangdong")
    assert by_code["450000"].name == "广西壮族自治区"
    assert by_code["540000"].name == "西藏自治区"
    assert by_code["650000"].name == "新疆维吾尔自治区"
    assert by_code["610000"].name_en == "Shaanxi" and by_code["140000"].name_en == "Shanxi"


def test_macro_region_of_any_region_is_its_provinces():
    assert macro_region("441625") == "EAST"
    assert macro_region("340181") == "CENTRAL"
    assert macro_region("500103") == "WEST"
    with pytest.raises(RegionCodeError):
        macro_region("710000")  # Taiwan has a GB/T 2260 code but is not in the mainland list


def test_loaded_reference_data_is_immutable_and_not_shared():
    provinces = load_provinces()
    with pytest.raises(dataclasses.FrozenInstanceError):
        provinces[0].name = "x"  # type: ignore[misc]
    provinces.clear()
    assert len(load_provinces()) == 31


@pytest.mark.parametrize("name", ["provinces.csv", "regions_sample.csv", "industry_divisions.csv"])
def test_data_files_are_utf8_without_bom(name):
    data = (DATA_DIR / name).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    data.decode("utf-8")


# --- the sample ----------------------------------------------------------------------------------


def test_every_sample_region_lies_in_a_known_province_below_province_level():
    province_codes = {p.code for p in load_provinces()}
    rows = _sample_rows()
    assert rows
    for row in rows:
        assert province_code(row.code) in province_codes, row
        assert row.level in (PREFECTURE, COUNTY), row


def test_every_sample_region_has_an_existing_nearest_ancestor():
    known = {p.code for p in load_provinces()} | {row.code for row in _sample_rows()}
    for row in _sample_rows():
        assert any(code in known for code in ancestor_codes(row.code)), row


def test_sample_has_every_prefecture_of_the_listed_provinces():
    prefectures = Counter(row.code[:2] for row in _sample_rows() if row.level == PREFECTURE)
    assert prefectures == {
        "44": 21,  # Guangdong
        "51": 21,  # Sichuan
        "34": 16,  # Anhui (341400 Chaohu was abolished in 2011)
        "43": 14,  # Hunan
        "45": 14,  # Guangxi
        "32": 13,  # Jiangsu
        "33": 11,  # Zhejiang
        "36": 11,  # Jiangxi
        "35": 9,  # Fujian
    }


def test_sample_has_the_named_regions():
    names = {row.code: row.name for row in _sample_rows()}
    expected = {
        "440100": "广州市",
        "440300": "深圳市",
        "441600": "河源市",
        "445300": "云浮市",
        "340100": "合肥市",
        "341000": "黄山市",
        "341500": "六安市",
        "510100": "成都市",
        "310115": "浦东新区",
        "340181": "巢湖市",
        "440311": "光明区",
        "441625": "东源县",
    }
    assert {code: names.get(code) for code in expected} == expected
    hefei = sorted(code for code in names if code[:4] == "3401" and code != "340100")
    assert hefei == [
        "340102",
        "340103",
        "340104",
        "340111",
        "340121",
        "340122",
        "340123",
        "340124",
        "340181",
    ]
    shenzhen = sorted(code for code in names if code[:4] == "4403" and code != "440300")
    assert shenzhen == [f"4403{n:02d}" for n in range(3, 12)]
    heyuan = sorted(code for code in names if code[:4] == "4416" and code != "441600")
    assert heyuan == ["441602", "441621", "441622", "441623", "441624", "441625"]


# --- codes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("440300", "440300"), (" 440300\t", "440300"), ("４４０３００", "440300"), (440300, "440300")],
)
def test_normalize_code_accepts_six_digits(text, code):
    assert normalize_code(text) == code


def test_normalize_code_names_the_bad_value():
    with pytest.raises(RegionCodeError) as caught:
        normalize_code("44030")
    assert str(caught.value) == '"44030" is not a six-digit region code'
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "4403000",
        "44030a",
        "440 300",
        "-44030",
        "440300.0",
        "000000",
        "440003",
        None,
        True,
        44030,
    ],
)
def test_normalize_code_rejects_others(text):
    with pytest.raises(RegionCodeError):
        normalize_code(text)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("440000", PROVINCE),
        ("110000", PROVINCE),
        ("440300", PREFECTURE),
        ("441900", PREFECTURE),  # Dongguan: a prefecture-level city without counties
        ("440305", COUNTY),
        ("110105", COUNTY),  # a district of a municipality
        ("429004", COUNTY),  # Xiantao, a county-level city directly under Hubei
    ],
)
def test_level(code, expected):
    assert level(code) == expected


@pytest.mark.parametrize(
    ("code", "parent"),
    [
        ("440305", "440300"),
        ("441621", "441600"),
        ("440300", "440000"),
        ("445300", "440000"),
        ("440000", None),
        ("110105", "110100"),
        ("310115", "310100"),
    ],
)
def test_parent_code(code, parent):
    assert parent_code(code) == parent


def test_ancestor_codes_nearest_first():
    assert ancestor_codes("110105") == ["110100", "110000"]
    assert ancestor_codes("429004") == ["429000", "420000"]
    assert ancestor_codes("340104") == ["340100", "340000"]
    assert ancestor_codes("340100") == ["340000"]
    assert ancestor_codes("340000") == []


def test_province_code():
    assert province_code("441625") == "440000"
    assert province_code("441600") == "440000"
    assert province_code("440000") == "440000"
    assert province_code(" 310115 ") == "310000"


@pytest.mark.parametrize(
    ("code", "ancestor", "expected"),
    [
        ("440305", "440305", True),
        ("440300", "440300", True),
        ("440000", "440000", True),
        ("440305", "440300", True),
        ("440305", "440000", True),
        ("440300", "440000", True),
        ("310115", "310000", True),
        ("441621", "441600", True),
        ("441621", "441700", False),
        ("440305", "440400", False),
        ("440305", "450000", False),
        ("440305", "440304", False),
        ("440300", "440305", False),
        ("440000", "440300", False),
        ("340100", "440000", False),
    ],
)
def test_is_within(code, ancestor, expected):
    assert is_within(code, ancestor) is expected


def test_is_within_rejects_bad_codes():
    with pytest.raises(RegionCodeError):
        is_within("440305", "4403")


# --- import ---------------------------------------------------------------------------------------


def test_parse_reports_errors_by_spreadsheet_row_and_column():
    lines = [
        "\ufeffcode,name,name_en\n",
        "440300,深圳市,Shenzhen\n",
        "\n",
        "44030,Bad\n",
        "440305,,\n",
        "440300,深圳,\n",
        "441600,河源市\n",
    ]
    rows, errors = parse_region_rows(lines)
    assert errors == [
        'row 4, code: "44030" is not a six-digit region code',
        "row 5, name: must not be empty",
        'row 6, code: "440300" is already on row 2',
    ]
    assert [row.code for row in rows] == ["440300", "441600"]


def test_parse_collects_every_error_of_a_row():
    rows, errors = parse_region_rows(["code,name\n", "abc,\n"])
    assert rows == []
    assert errors == [
        'row 2, code: "abc" is not a six-digit region code',
        "row 2, name: must not be empty",
    ]


def test_parse_builds_rows_with_level_and_parent():
    rows, errors = parse_region_rows(
        ["code,name,name_en", "110105,朝阳区,Chaoyang District", '441600," 河源市 ",']
    )
    assert errors == []
    assert rows == [
        RegionRow("110105", "朝阳区", "Chaoyang District", COUNTY, "110100"),
        RegionRow("441600", "河源市", None, PREFECTURE, "440000"),
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].name = "x"  # type: ignore[misc]


def test_parse_without_header_numbers_rows_from_one():
    rows, errors = parse_region_rows("\ufeff440300,深圳市\r\n4403,坏\r\n")
    assert [row.code for row in rows] == ["440300"]
    assert errors == ['row 2, code: "4403" is not a six-digit region code']


def test_parse_reads_header_columns_in_any_order_and_quoted_names():
    rows, errors = parse_region_rows(["Name_EN, Name ,CODE", '"Nanshan, Shenzhen",南山区,440305'])
    assert errors == []
    assert rows == [RegionRow("440305", "南山区", "Nanshan, Shenzhen", COUNTY, "440300")]


def test_parse_tolerates_trailing_empty_cells_and_blank_lines():
    rows, errors = parse_region_rows(["", "440300,深圳市,Shenzhen,,", "   ", ""])
    assert errors == []
    assert [row.code for row in rows] == ["440300"]


def test_parse_rejects_surplus_columns():
    _, errors = parse_region_rows(["440300,深圳市,Shenzhen,Guangdong"])
    assert errors == ["row 1: expected code,name[,name_en] but found 4 columns"]
    _, errors = parse_region_rows(["code,name", "440300,深圳市,Shenzhen"])
    assert errors == ["row 2: column 3 has a value but no header"]


def test_parse_reports_a_bad_header():
    rows, errors = parse_region_rows(["code,nom,name_en", "440300,深圳市,"])
    assert rows == []
    assert errors == [
        'row 1: unknown column "nom" (expected code, name, name_en)',
        'row 1: missing column "name"',
    ]
