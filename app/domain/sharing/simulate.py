"""What-if simulation: rules and observations in the JSON format of examples/sharing.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain.apportion import places
from app.domain.quarter import Quarter, QuarterError
from app.domain.sharing.engine import split
from app.domain.sharing.rules import (
    AGREEMENT,
    SPLIT,
    Cap,
    Parties,
    Rule,
    RuleError,
    Tier,
    validate_rule,
    value_units,
)

# Keys a case may carry that the engine does not read ("expected" is the answer to check).
_IGNORED = {"name", "description", "note", "expected"}
_READ = {
    "parties",
    "default_party",
    "mode",
    "tiers",
    "baseline",
    "baseline_owner",
    "caps",
    "quantum",
    "observations",
    "as_percent",
}

Allocations = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Case:
    """One what-if case: a rule, its parties and one project's observations."""

    name: str
    rule: Rule
    parties: Parties
    observations: dict[Quarter, Decimal]


def simulate_json(text: str) -> Allocations | list[Allocations]:
    """Run the JSON text of one case or ``{"cases": [...]}``; see :func:`simulate`."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        """A JSON object, refusing a key given twice (json.loads would keep the last silently)."""
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise RuleError(key, "given twice")
            out[key] = value
        return out

    try:
        # parse_float keeps JSON numbers exact: 0.1 stays Decimal("0.1"), never a float.
        data = json.loads(text, parse_float=Decimal, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        raise RuleError("json", f"not valid JSON: {exc}") from None
    return simulate(data)


def simulate(data: Any) -> Allocations | list[Allocations]:
    """Allocation per observed quarter and party, as strings with the quantum's places.

    ``data`` is one case (returns ``{"2026Q1": {"D": "617283.95", …}}``, the shape of a case's
    ``expected``) or ``{"cases": [...]}`` (returns a list of those, in order). Bad input raises
    :class:`RuleError` naming the field, prefixed ``cases[i].`` for several cases.
    """
    cases = load_cases(data)
    results = [run_case(case) for case in cases]
    return results if isinstance(data, Mapping) and "cases" in data else results[0]


def run_case(case: Case) -> Allocations:
    """Split one case and format its observed quarters like ``expected``."""
    result = split(case.rule, case.parties, case.observations)
    digits = places(case.rule.quantum)
    return {
        str(row.quarter): {p: f"{amount:.{digits}f}" for p, amount in row.allocation.items()}
        for row in result
        if not row.is_missing
    }


def load_cases(data: Any) -> list[Case]:
    """Parse one case or ``{"cases": [...]}`` into validated cases."""
    if isinstance(data, Mapping) and "cases" in data:
        if set(data) != {"cases"}:
            extra = sorted(set(data) - {"cases"})[0]
            raise RuleError(extra, "unknown key beside cases")
        items = data["cases"]
        if not isinstance(items, list) or not items:
            raise RuleError("cases", "must be a non-empty list of cases")
        cases = []
        for i, item in enumerate(items):
            try:
                cases.append(parse_case(item))
            except RuleError as exc:
                raise RuleError(f"cases[{i}].{exc.field}", exc.message) from None
        return cases
    return [parse_case(data)]


def parse_case(data: Any) -> Case:
    """One case object into rule, parties and observations; :class:`RuleError` on bad input."""
    if not isinstance(data, Mapping):
        raise RuleError("case", "must be a JSON object")
    for key in data:
        if key not in _READ and key not in _IGNORED:
            raise RuleError(str(key), "unknown key")
    names = data.get("parties")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RuleError("parties", "must be a list of party names in priority order")
    default = data.get("default_party", names[0] if names else None)
    parties = Parties(tuple(names), default)
    quantum = _decimal(data.get("quantum", "0.01"), "quantum")
    mode = data.get("mode", SPLIT)
    tiers_data = _list(data.get("tiers", None if mode == SPLIT else []), "tiers")
    caps_data = _list(data.get("caps") or [], "caps")
    rule = Rule(
        mode=mode,
        tiers=tuple(_tier(item, f"tiers[{i}]") for i, item in enumerate(tiers_data)),
        baseline=_optional_decimal(data.get("baseline"), "baseline"),
        baseline_owner=data.get("baseline_owner"),
        caps=tuple(_cap(item, f"caps[{i}]") for i, item in enumerate(caps_data)),
        quantum=quantum,
        as_percent=_flag(data.get("as_percent", False), "as_percent"),
    )
    observations = _observations(data.get("observations"))
    # Validate now, so that a bad case names its field before any case runs.
    validate_rule(rule, parties)
    for quarter, value in observations.items():
        value_units(value, quantum, f"observations.{quarter}")
    return Case(str(data.get("name", "")), rule, parties, observations)


def _observations(raw: Any) -> dict[Quarter, Decimal]:
    if not isinstance(raw, Mapping) or not raw:
        raise RuleError(
            "observations", 'must be an object of quarters to values: {"2026Q1": "1.00"}'
        )
    out: dict[Quarter, Decimal] = {}
    for key, value in raw.items():
        quarter = _quarter(key, f"observations.{key}")
        if quarter in out:
            raise RuleError(f"observations.{key}", f"{quarter} is given twice")
        out[quarter] = _decimal(value, f"observations.{key}")
    return out


def _tier(item: Any, where: str) -> Tier:
    if not isinstance(item, Mapping):
        raise RuleError(where, "must be an object with first, last and weights")
    for key in item:
        if key not in ("first", "last", "weights"):
            raise RuleError(f"{where}.{key}", "unknown key")
    weights = item.get("weights")
    if not isinstance(weights, Mapping) or not weights:
        raise RuleError(f"{where}.weights", "must be an object of party to weight")
    last = item.get("last")
    return Tier(
        first=_quarter(item.get("first"), f"{where}.first"),
        last=None if last is None else _quarter(last, f"{where}.last"),
        weights={str(p): _decimal(w, f"{where}.weights.{p}") for p, w in weights.items()},
    )


def _cap(item: Any, where: str) -> Cap:
    if not isinstance(item, Mapping):
        raise RuleError(where, "must be an object with party, amount and scope")
    for key in item:
        if key not in ("party", "amount", "scope"):
            raise RuleError(f"{where}.{key}", "unknown key")
    party = item.get("party")
    if not isinstance(party, str):
        raise RuleError(f"{where}.party", "must be a party name")
    return Cap(party, _decimal(item.get("amount"), f"{where}.amount"), item.get("scope", AGREEMENT))


def _flag(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise RuleError(field, "must be true or false")
    return value


def _list(value: Any, field: str) -> list:
    if not isinstance(value, list):
        raise RuleError(field, "must be a list")
    return value


def _quarter(text: Any, field: str) -> Quarter:
    if not isinstance(text, str):
        raise RuleError(field, "must be a quarter such as 2026Q1")
    try:
        return Quarter.parse(text)
    except QuarterError as exc:
        raise RuleError(field, str(exc)) from None


def _optional_decimal(value: Any, field: str) -> Decimal | None:
    return None if value is None else _decimal(value, field)


def _decimal(value: Any, field: str) -> Decimal:
    if isinstance(value, (bool, float)):
        raise RuleError(field, 'write the number as a string, e.g. "1234.56"')
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise RuleError(field, f'"{value}" is not a number') from None
    else:
        raise RuleError(field, "must be a number written as a string")
    if not result.is_finite():
        raise RuleError(field, f'"{value}" is not a finite number')
    return result
