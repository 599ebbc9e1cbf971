"""How one party's figure for one quarter was computed, step by step, for an auditor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.domain.apportion import from_units, places
from app.domain.quarter import Quarter
from app.domain.sharing.engine import prepare
from app.domain.sharing.result import QuarterRow
from app.domain.sharing.rules import DUAL_COUNT, YEAR, Parties, Rule, RuleError, Tier


@dataclass(frozen=True)
class CapStep:
    """The explained party's cap in the quarter; amounts in the indicator's unit."""

    scope: str
    cap: Decimal
    cumulative_before: Fraction  # exact, within the scope (zero at the start of a YEAR scope)
    room: Fraction  # max(cap − cumulative_before, 0)
    share_before_cap: Fraction  # the share when it was checked, excess received included
    is_capped: bool
    excess: Fraction  # share_before_cap − room if capped, else 0
    cumulative_after: Fraction


@dataclass(frozen=True)
class CapRound:
    """One round of step 5: the parties capped, the excess each gave up, and who received it."""

    capped: dict[str, Fraction]
    received: dict[str, Fraction]
    to_default_party: bool  # nobody with a positive weight was left, so the default party took it


@dataclass(frozen=True)
class RoundingStep:
    """Step 7 for the party: its cumulative exact share in quanta, floored, and the extra unit."""

    exact_in_quanta: Fraction
    floor: int
    remainder: Fraction
    units_left_over: int  # for all parties together: T − Σ floors, in quanta
    rank: int  # 1 = largest remainder; ties go to the higher priority
    gets_extra_unit: bool


@dataclass(frozen=True)
class Explanation:
    """Every input and intermediate value behind one party's allocation in one quarter.

    Amounts are in the indicator's unit: Fractions are exact, Decimals whole quanta.
    """

    quarter: Quarter
    party: str
    mode: str
    value: Decimal
    is_missing: bool
    tier: Tier | None  # None: no tier covers the quarter, the default party gets everything
    weights: dict[str, Decimal]
    weight_sum: Decimal
    baseline: Decimal | None
    baseline_owner: str | None
    base: Fraction  # min(v, baseline), to the owner
    increment: Fraction  # v − base, shared by weight
    share_of_increment: Fraction  # increment × w / Σw
    base_share: Fraction  # base if the party owns the baseline, else 0
    share_before_caps: Fraction
    cap: CapStep | None
    cap_rounds: list[CapRound]
    exact_share: Fraction  # e[p] after caps
    exact_share_decimal: str
    exact_before: Fraction  # E[p] before the quarter
    exact_after: Fraction
    total_before: Decimal  # T
    total_after: Decimal
    rounding: RoundingStep
    rounded_before: Decimal  # R[p]
    rounded_after: Decimal  # R'[p]
    allocation: Decimal  # R'[p] − R[p]


def decimal_text(value: Fraction, min_places: int = 0, places: int = 10) -> str:
    """A fraction as decimal text: exact if it terminates (at least ``min_places`` decimals),
    else cut to ``places`` decimals followed by "…"."""
    den = value.denominator
    for prime in (2, 5):
        while den % prime == 0:
            den //= prime
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if den == 1:
        digits = min_places
        while (magnitude * 10**digits).denominator != 1:
            digits += 1
        whole = int(magnitude * 10**digits)
        text = str(Decimal(whole).scaleb(-digits)) if digits else str(whole)
        return sign + text
    truncated = int(magnitude * 10**places)
    return f"{sign}{Decimal(truncated).scaleb(-places)}…"


def explain(
    rule: Rule,
    parties: Parties,
    observations: Mapping[Quarter, Decimal],
    quarter: Quarter,
    party: str,
    *,
    cap_overrides: Mapping[str, Decimal] | None = None,
) -> Explanation:
    """Explain ``party``'s allocation in ``quarter``: the engine's row, redone in Fractions."""
    if party not in parties.position:
        raise RuleError("party", f"{party!r} is not a party")
    plan = prepare(rule, parties)
    result = plan.split(observations, cap_overrides=cap_overrides, through=quarter, start=quarter)
    rows = list(result)  # the walk ends at ``quarter``, so it is the last row
    row = rows[-1]
    before = rows[-2] if len(rows) > 1 else None
    zero = Fraction(0)
    exact_before = before.exact if before else dict.fromkeys(parties.order, zero)
    nothing = from_units(0, rule.quantum)
    rounded_before = before.rounded if before else dict.fromkeys(parties.order, nothing)
    total_before = before.total if before else nothing
    v = Fraction(row.value)
    step = _Step(rule, parties, row.tier, v)
    if rule.mode == DUAL_COUNT:
        step.e = dict.fromkeys(parties.order, v)
    else:
        caps_before = before.caps if before else {}
        cap_amounts = {name: state.cap for name, state in row.caps.items()}
        for name in cap_amounts:
            used = caps_before[name].used if name in caps_before else zero
            if row.caps[name].scope == YEAR and quarter.number == 1:
                used = zero  # a yearly cap starts again each January
            step.cap_before[name] = used
        step.apply_caps(cap_amounts)
    exact_after = row.exact
    for name in parties.order:
        # The explanation must tell the story of the very numbers the engine produced.
        if exact_before[name] + step.e[name] != exact_after[name]:
            raise RuntimeError(f"explanation of {name} in {quarter} disagrees with the engine")
    return Explanation(
        quarter=quarter,
        party=party,
        mode=rule.mode,
        value=row.value,
        is_missing=row.is_missing,
        tier=row.tier,
        weights=step.weights_decimal,
        weight_sum=sum(step.weights_decimal.values(), Decimal(0)),
        baseline=rule.baseline,
        baseline_owner=rule.baseline_owner,
        base=step.base,
        increment=step.inc,
        share_of_increment=step.share_of_increment[party],
        base_share=step.base if party == rule.baseline_owner else zero,
        share_before_caps=step.e0[party],
        cap=step.cap_step(party, row.caps),
        cap_rounds=step.rounds,
        exact_share=step.e[party],
        exact_share_decimal=decimal_text(step.e[party], places(rule.quantum)),
        exact_before=exact_before[party],
        exact_after=exact_after[party],
        total_before=total_before,
        total_after=row.total,
        rounding=_rounding(row, rule, parties, party),
        rounded_before=rounded_before[party],
        rounded_after=row.rounded[party],
        allocation=row.allocation[party],
    )


class _Step:
    """Steps 2–5 of one quarter in plain Fractions, recording what happened."""

    def __init__(self, rule: Rule, parties: Parties, tier: Tier | None, v: Fraction) -> None:
        self.rule, self.parties = rule, parties
        order = parties.order
        if rule.mode == DUAL_COUNT:
            self.weights_decimal = {}  # no weights: every party is credited the whole value
        elif tier is None:
            self.weights_decimal = {p: Decimal(int(p == parties.default_party)) for p in order}
        else:
            self.weights_decimal = {p: Decimal(tier.weights.get(p, 0)) for p in order}
        self.w = {p: Fraction(self.weights_decimal.get(p, 0)) for p in order}
        if rule.baseline is None or rule.mode == DUAL_COUNT:
            self.base, self.inc = Fraction(0), v
        else:
            self.base = min(v, Fraction(rule.baseline))
            self.inc = v - self.base
        if rule.mode == DUAL_COUNT:
            self.share_of_increment = dict.fromkeys(order, v)
        else:
            total_weight = sum(self.w.values())
            self.share_of_increment = {p: self.inc * self.w[p] / total_weight for p in order}
        self.e0 = dict(self.share_of_increment)
        if rule.baseline_owner is not None and rule.mode != DUAL_COUNT:
            self.e0[rule.baseline_owner] += self.base
        self.e = dict(self.e0)
        self.cap_before: dict[str, Fraction] = {}
        self.checked: dict[str, Fraction] = {}
        self.rounds: list[CapRound] = []
        self.amounts: dict[str, Decimal] = {}

    def apply_caps(self, amounts: dict[str, Decimal]) -> None:
        """Step 5 literally: cap whoever exceeds, share the excess by weight, repeat."""
        self.amounts = amounts
        rooms = {p: max(Fraction(a) - self.cap_before[p], Fraction(0)) for p, a in amounts.items()}
        capped: set[str] = set()
        while True:
            new = [p for p in rooms if p not in capped and self.e[p] > rooms[p]]
            for p in rooms:
                if p not in capped:
                    self.checked[p] = self.e[p]
            if not new:
                return
            gave = {p: self.e[p] - rooms[p] for p in new}
            for p in new:
                self.e[p] = rooms[p]
                capped.add(p)
            excess = sum(gave.values())
            takers = [p for p in self.parties.order if p not in capped and self.w[p] > 0]
            if not takers:
                default = self.parties.default_party
                self.e[default] += excess
                self.rounds.append(CapRound(gave, {default: excess}, True))
                return
            weight = sum(self.w[p] for p in takers)
            received = {p: excess * self.w[p] / weight for p in takers}
            for p, amount in received.items():
                self.e[p] += amount
            self.rounds.append(CapRound(gave, received, False))

    def cap_step(self, party: str, caps_after: Mapping) -> CapStep | None:
        """The party's cap arithmetic, or None if it has no cap."""
        if party not in self.amounts:
            return None
        cap = self.amounts[party]
        before = self.cap_before[party]
        room = max(Fraction(cap) - before, Fraction(0))
        checked = self.checked.get(party, self.e0[party])
        capped = any(party in r.capped for r in self.rounds)
        return CapStep(
            scope=caps_after[party].scope,
            cap=cap,
            cumulative_before=before,
            room=room,
            share_before_cap=checked,
            is_capped=capped,
            excess=checked - room if capped else Fraction(0),
            cumulative_after=caps_after[party].used,
        )


def _rounding(row: QuarterRow, rule: Rule, parties: Parties, party: str) -> RoundingStep:
    """Step 7 for ``party`` from the row's cumulative exact shares."""
    quantum = Fraction(rule.quantum)
    exact = {p: e / quantum for p, e in row.exact.items()}
    floors = {p: x.__floor__() for p, x in exact.items()}
    remainders = {p: exact[p] - floors[p] for p in parties.order}
    ranked = sorted(parties.order, key=lambda p: -remainders[p])  # stable: ties by priority
    total_units = Fraction(row.total) / quantum
    rounded_units = Fraction(row.rounded[party]) / quantum
    return RoundingStep(
        exact_in_quanta=exact[party],
        floor=floors[party],
        remainder=remainders[party],
        units_left_over=int(total_units - sum(floors.values())) if rule.mode != DUAL_COUNT else 0,
        rank=ranked.index(party) + 1,
        gets_extra_unit=rounded_units != floors[party],
    )
