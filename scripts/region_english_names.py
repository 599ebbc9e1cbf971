"""Write the shipped GB/T 2260 file with English names: ``code,name,level,parent_code,name_en``.

Usage: ``python scripts/region_english_names.py SOURCE.csv app/data/gbt2260-2022-regions.csv``

SOURCE has ``code,name,level,parent_code`` (the statistics bureau's edition as collected, see
``app/data/README.md``). Provinces take their official English names from
``app/data/provinces.csv``; prefectures and counties get Pinyin by ``app.domain.romanize``. Run
once per edition: the output is committed, so a later pypinyin never changes what a migration
loads.
"""

from __future__ import annotations

import csv
import sys

from app.domain.regions import load_provinces
from app.domain.romanize import english_name


def main(source: str, target: str) -> None:
    official = {p.code: p.name_en for p in load_provinces()}
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("code", "name", "level", "parent_code", "name_en"))
        for row in rows:
            name_en = official.get(row["code"]) or english_name(row["name"])
            writer.writerow((row["code"], row["name"], row["level"], row["parent_code"], name_en))
    print(f"{len(rows)} regions written to {target}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
