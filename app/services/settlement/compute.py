"""The content of a settlement run, from the frozen statements of a fiscal year's quarters and
the differences still open: plain values, no database.

Definitions (settlement.md):
- the **payer** of a project is the party whose region covers the project's destination (the
  most specific one if several do; the destination-role party if none does): the tax is paid
  where the enterprise stands;
- a **line** per project, settling indicator and payee (every other party): the sum over the
  year's closed quarters of the payee's *total* (current + prior-period adjustment), exactly as
  each statement shows it; what the payer keeps is its own total, summed the same way;
- **carried**: per open difference of an earlier year, due − booked, owed by the same payer to
  the same payee (negative when more was booked than due), with its reason;
- **totals** per payer → payee: lines plus carried; the **net** per pair of parties: A owes B
  minus B owes A, printed in the direction that is positive (pairs that net to zero are left
  out: they owe nothing);
- **foots**: for every settling indicator and party, the sum of the statements' total rows
  equals what the run gives the party (lines to it plus what it keeps as payer), to the cent.
Amounts are Decimals in the indicator's unit (元), whole quanta; sums are exact.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from app.domain.hashchain import canonical_json
from app.domain.regions import is_within, level

ZERO = Decimal(0)
_DEPTH = {"PROVINCE": 0, "PREFECTURE": 1, "COUNTY": 2}


@dataclass(frozen=True)
class Party:
    """A party of the agreement: region code, name and role (``SOURCE``, ``DESTINATION``…)."""

    code: str
    name: str
    role: str


@dataclass(frozen=True)
class Carried:
    """An open difference of an earlier year, carried: what the payer still owes the payee."""

    fiscal_year: int
    payer: str
    payee: str
    amount: Decimal
    reason: str


def payer_of(destination_code: str, parties: list[Party]) -> str:
    """The party whose region covers the project's destination (the deepest such region);
    the destination-role party when none covers it."""
    covering = [p for p in parties if is_within(destination_code, p.code)]
    if covering:
        return max(covering, key=lambda p: _DEPTH.get(level(p.code), 0)).code
    return next((p.code for p in parties if p.role == "DESTINATION"), parties[0].code)


def run_content(agreement_code: str, fiscal_year: int, parties: list[Party],
                statements: list, projects: dict[str, tuple[str, str]],
                indicators: dict[str, dict], carried: list[Carried]) -> dict:
    """The run's data as plain values: ``statements`` are the year's closed quarters' frozen
    statements, ``projects`` maps a project code to (name, destination region code),
    ``indicators`` the settling indicators (code → name, name_en, unit, quantum)."""
    payers = {code: payer_of(dest, parties) for code, (_name, dest) in projects.items()}
    quanta = {code: Decimal(i["quantum"]) for code, i in indicators.items()}
    finest = min([*quanta.values(), Decimal("0.01")])
    lines: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    kept: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    statement_totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for statement in statements:
        for row in statement.rows:
            if row.indicator not in indicators:
                continue
            payer = payers[row.project_code]
            for party, line in row.lines.items():
                if party == payer:
                    kept[row.project_code, row.indicator] += line.total
                else:
                    lines[row.project_code, row.indicator, party] += line.total
        for total in statement.totals:
            if total.indicator in indicators:
                for party, line in total.lines.items():
                    statement_totals[total.indicator, party] += line.total
    line_list = [
        {"project": project, "project_name": projects[project][0], "indicator": indicator,
         "payer": payers[project], "payee": payee,
         "amount": amount.quantize(quanta[indicator])}
        for (project, indicator, payee), amount in sorted(lines.items())]
    kept_list = [{"project": project, "indicator": indicator, "payer": payers[project],
                  "amount": amount.quantize(quanta[indicator])}
                 for (project, indicator), amount in sorted(kept.items())]
    footing = _footing({k: v.quantize(quanta[k[0]]) for k, v in statement_totals.items()},
                       line_list, kept_list)
    carried_list = [{"fiscal_year": c.fiscal_year, "payer": c.payer, "payee": c.payee,
                     "amount": c.amount.quantize(finest), "reason": c.reason}
                    for c in sorted(carried, key=lambda c: (c.fiscal_year, c.payer, c.payee))]
    totals: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for item in line_list + carried_list:
        totals[item["payer"], item["payee"]] += item["amount"]
    totals = {pair: amount.quantize(finest) for pair, amount in totals.items()}
    return {
        "agreement": agreement_code, "fiscal_year": fiscal_year,
        "parties": [{"code": p.code, "name": p.name, "role": p.role} for p in parties],
        "indicators": indicators,
        "quarters": {s.quarter: s.fingerprint for s in statements},
        "lines": line_list, "kept": kept_list, "carried": carried_list,
        "totals": [{"payer": a, "payee": b, "amount": v} for (a, b), v in sorted(totals.items())],
        "net": net_of(totals), "footing": footing,
        "foots": all(f["statements"] == f["run"] for f in footing),
    }


def _footing(statement_totals: dict, lines: list[dict], kept: list[dict]) -> list[dict]:
    """Per indicator and party: the statements' totals against the run's lines and kept."""
    run: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        run[line["indicator"], line["payee"]] += line["amount"]
    for item in kept:
        run[item["indicator"], item["payer"]] += item["amount"]
    return [{"indicator": indicator, "party": party, "statements": amount,
             "run": run.get((indicator, party), ZERO)}
            for (indicator, party), amount in sorted(statement_totals.items())]


def net_of(totals: dict[tuple[str, str], Decimal]) -> list[dict]:
    """Per unordered pair: A owes B minus B owes A, in the positive direction; zero pairs out."""
    out = []
    for a, b in sorted({tuple(sorted(pair)) for pair in totals}):
        amount = totals.get((a, b), ZERO) - totals.get((b, a), ZERO)
        if amount > 0:
            out.append({"payer": a, "payee": b, "amount": amount})
        elif amount < 0:
            out.append({"payer": b, "payee": a, "amount": -amount})
    return out


def fingerprint_of(content: dict) -> str:
    """SHA-256 of the run's canonical JSON (what both parties confirm)."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def changes_between(old: dict, new: dict) -> list[dict]:
    """What a new version changed against the previous one: per line, carried item, net pair and
    quarter fingerprint, the old and new text (None where absent)."""
    def keyed(content: dict) -> dict[str, str]:
        out = {f"quarter {q}": fp for q, fp in content["quarters"].items()}
        out |= {f"line {x['project']} {x['indicator']} {x['payer']}→{x['payee']}": str(x["amount"])
                for x in content["lines"]}
        out |= {f"carried {x['fiscal_year']} {x['payer']}→{x['payee']}": str(x["amount"])
                for x in content["carried"]}
        out |= {f"net {x['payer']}→{x['payee']}": str(x["amount"]) for x in content["net"]}
        return out
    before, after = keyed(old), keyed(new)
    return [{"item": key, "old": before.get(key), "new": after.get(key)}
            for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)]
