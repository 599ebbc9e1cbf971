"""English names of regions: Hanyu Pinyin of the name, with the administrative suffix translated.

The convention (documented in ``app/data/README.md``):

- the name's stem is written in Pinyin without tones, as one word with a capital initial, an
  apostrophe before a syllable that starts with a, o or e (``淮安市`` → ``Huai'an``);
- a city (``市``) drops its suffix (``河源市`` → ``Heyuan``, as the provinces' official names do);
- other suffixes are translated: ``县`` County, ``区`` District, ``旗`` Banner, ``盟`` League,
  ``地区`` Prefecture, ``自治州`` Autonomous Prefecture, ``自治县`` Autonomous County, ``自治旗``
  Autonomous Banner, ``新区`` New Area, ``林区`` Forestry District, ``特区`` Special District;
  in autonomous units the peoples' names (``土家族苗族``) become separate words joined by "and";
- the statistical groupings get descriptive names: ``市辖区`` Municipal Districts,
  ``省直辖县级行政区划`` County-level divisions under the province (also 自治区).

The names are computed once by ``scripts/region_english_names.py`` and shipped in the data file,
so that a newer pypinyin never changes what a migration loads.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# The suffixes, longest first; each with its English word (empty: no word, the stem alone).
_SUFFIXES = (
    ("自治州", " Autonomous Prefecture"), ("自治县", " Autonomous County"),
    ("自治旗", " Autonomous Banner"), ("新区", " New Area"), ("林区", " Forestry District"),
    ("特区", " Special District"), ("地区", " Prefecture"), ("矿区", " Mining District"),
    ("市", ""), ("县", " County"), ("区", " District"), ("旗", " Banner"), ("盟", " League"),
)

_GROUPINGS = {
    "市辖区": "Municipal Districts",
    "县": "Counties",
    "省直辖县级行政区划": "County-level divisions under the province",
    "自治区直辖县级行政区划": "County-level divisions under the autonomous region",
}

# The peoples named in autonomous units' names (GB/T 3304), longest first so that 土家 wins over 土.
_PEOPLES = sorted((
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家",
    "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇",
    "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
    "普米",
    "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙",
    "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "各族"),
    key=len, reverse=True)
_PEOPLES_TAIL = re.compile("(?:(?:" + "|".join(_PEOPLES) + ")族?)+$")
_PEOPLE = re.compile("(" + "|".join(_PEOPLES) + ")族?")


def pinyin_word(text: str) -> str:
    """``text`` in toneless Pinyin as one capitalised word (``淮安`` → ``Huai'an``; ü is kept:
    ``吕梁`` → ``Lüliang``)."""
    syllables = [s for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=True) if s.strip()]
    word = ""
    for syllable in syllables:
        syllable = syllable.lower()
        if word and syllable[0] in "aoe":
            word += "'"
        word += syllable
    return word[:1].upper() + word[1:]


def english_name(name: str) -> str:
    """The English name of a prefecture or county by the convention above."""
    name = name.strip()
    if name in _GROUPINGS:
        return _GROUPINGS[name]
    found = next(((suffix, word) for suffix, word in _SUFFIXES
                  if name.endswith(suffix) and len(name) > len(suffix)), None)
    if found is None:
        return pinyin_word(name)
    stem, english = name[: -len(found[0])], found[1]
    if english.startswith(" Autonomous"):
        tail = _PEOPLES_TAIL.search(stem)
        if tail:
            peoples = " and ".join(pinyin_word(p) for p in _PEOPLE.findall(tail.group(0)))
            place = pinyin_word(stem[: tail.start()])
            return f"{place} {peoples}{english}".strip()
    return pinyin_word(stem) + english
