"""Sharing rules as plain values (tiers, baseline, caps, parties) and their validation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Literal

from app.domain.apportion import to_units
from app.domain.messages import N_
from app.domain.quarter import Quarter

SPLIT = "SPLIT"
DUAL_COUNT = "DUAL_COUNT"
AGREEMENT = "AGREEMENT"
YEAR = "YEAR"

Mode = Literal["SPLIT", "DUAL_COUNT"]
Scope = Literal["AGREEMENT", "YEAR"]


class RuleError(ValueError):
    """Invalid rule or input; ``field`` names it (``tiers[1].weights.S``, ``caps[0].amount`` …)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Weights(Mapping[str, Decimal]):
    """An immutable, hashable party → weight mapping: it makes a Rule a value (and a cache key)."""

    __slots__ = ("_hash", "_items")

    def __init__(self, weights: Mapping[str, Decimal]) -> None:
        self._items = dict(weights)
        self._hash: int | None = None

    def __getitem__(self, party: str) -> Decimal:
        return self._items[party]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._items.items()))
        return self._hash

    def __repr__(self) -> str:
        return repr(self._items)


@dataclass(frozen=True)
class Tier:
    """Weights per party from ``first`` to ``last`` inclusive (``None``: open-ended)."""

    first: Quarter
    last: Quarter | None
    weights: Mapping[str, Decimal]

    def __post_init__(self) -> None:
        if isinstance(self.weights, Mapping) and not isinstance(self.weights, Weights):
            object.__setattr__(self, "weights", Weights(self.weights))

    def covers(self, quarter: Quarter) -> bool:
        """Whether the tier is in force in ``quarter``."""
        return self.first <= quarter and (self.last is None or quarter <= self.last)


@dataclass(frozen=True)
class Cap:
    """A ceiling on one party's exact cumulative share per covered project (indicator's unit)."""

    party: str
    amount: Decimal
    scope: Scope = AGREEMENT


@dataclass(frozen=True)
class Rule:
    """How one indicator of one agreement is split; amounts in the indicator's unit."""

    mode: Mode
    tiers: Sequence[Tier] = ()
    baseline: Decimal | None = None
    baseline_owner: str | None = None
    caps: Sequence[Cap] = ()
    quantum: Decimal = Decimal("0.01")
    # The weights were entered as percentages, so each tier must add up to exactly 100.
    as_percent: bool = False

    def __post_init__(self) -> None:
        # Tuples, so that a rule is an immutable value that can key the compiled-plan cache.
        object.__setattr__(self, "tiers", tuple(self.tiers))
        object.__setattr__(self, "caps", tuple(self.caps))


@dataclass(frozen=True)
class Parties:
    """The parties in priority order (highest first) and the default party."""

    order: tuple[str, ...]
    default_party: str
    position: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        order = tuple(self.order)
        object.__setattr__(self, "order", order)
        if len(order) < 2:
            raise RuleError("parties", N_("an agreement has at least two parties"))
        for name in order:
            if not isinstance(name, str) or not name.strip():
                raise RuleError("parties", N_("%(name)s is not a party name", name=repr(name)))
        if len(set(order)) != len(order):
            raise RuleError("parties", N_("a party is listed twice"))
        if self.default_party not in order:
            raise RuleError("default_party", N_(
                "%(default_party)s is not a party",
                default_party=repr(self.default_party)))
        object.__setattr__(self, "position", {name: i for i, name in enumerate(order)})

    @classmethod
    def by_priority(cls, priorities: Mapping[str, int], default_party: str) -> Parties:
        """Parties from ``{name: priority}``, 1 the highest; the listing order does not matter."""
        ranks = list(priorities.values())
        if len(set(ranks)) != len(ranks):
            raise RuleError("parties", N_("priorities must be a strict order"))
        return cls(tuple(sorted(priorities, key=priorities.__getitem__)), default_party)


def validate_rule(rule: Rule, parties: Parties) -> None:
    """Raise :class:`RuleError` naming the first invalid field of ``rule``; return if valid."""
    if rule.mode not in (SPLIT, DUAL_COUNT):
        raise RuleError("mode", N_(
            "must be %(SPLIT)s or %(DUAL_COUNT)s, not %(mode)s",
            SPLIT=SPLIT, DUAL_COUNT=DUAL_COUNT, mode=repr(rule.mode)))
    quantum = rule.quantum
    if not isinstance(quantum, Decimal) or not quantum.is_finite() or quantum <= 0:
        raise RuleError("quantum", N_("must be a positive decimal such as 0.01"))
    _validate_tiers(rule, parties)
    _validate_baseline(rule, parties)
    capped: set[str] = set()
    for i, cap in enumerate(rule.caps):
        if cap.party not in parties.position:
            raise RuleError(f"caps[{i}].party", N_(
                "%(party)s is not a party",
                party=repr(cap.party)))
        if cap.party in capped:
            raise RuleError(f"caps[{i}].party", N_("%(party)s already has a cap", party=cap.party))
        capped.add(cap.party)
        if cap.scope not in (AGREEMENT, YEAR):
            raise RuleError(f"caps[{i}].scope", N_(
                "must be %(AGREEMENT)s or %(YEAR)s, not %(scope)s",
                AGREEMENT=AGREEMENT, YEAR=YEAR, scope=repr(cap.scope)))
        check_amount(cap.amount, quantum, f"caps[{i}].amount")


def validate_cap_overrides(
    rule: Rule, overrides: Mapping[str, Decimal], field_name: str = "cap_overrides"
) -> None:
    """Raise :class:`RuleError` unless every override names a capped party and a valid amount."""
    capped = {cap.party for cap in rule.caps}
    for party, amount in overrides.items():
        if party not in capped:
            raise RuleError(f"{field_name}.{party}", N_(
                "the rule has no cap for %(party)s",
                party=repr(party)))
        check_amount(amount, rule.quantum, f"{field_name}.{party}")


def check_amount(amount: object, quantum: Decimal, field_name: str) -> int:
    """A non-negative whole multiple of the quantum, as units; else :class:`RuleError`."""
    units = value_units(amount, quantum, field_name)
    if units < 0:
        raise RuleError(field_name, N_("must not be negative"))
    return units


def value_units(value: object, quantum: Decimal, field_name: str) -> int:
    """A decimal that is a whole multiple of the quantum, as units; else :class:`RuleError`."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise RuleError(field_name, N_("%(value)s is not a decimal amount", value=repr(value)))
    try:
        return to_units(value, quantum)
    except ValueError as exc:
        raise RuleError(field_name, str(exc)) from None


def _validate_tiers(rule: Rule, parties: Parties) -> None:
    spans: list[tuple[int, int | None, int]] = []
    for i, tier in enumerate(rule.tiers):
        where = f"tiers[{i}]"
        if not isinstance(tier.first, Quarter):
            raise RuleError(f"{where}.first", N_("must be a quarter such as 2026Q1"))
        if tier.last is not None:
            if not isinstance(tier.last, Quarter):
                raise RuleError(f"{where}.last",
                                N_("must be a quarter such as 2026Q4, or open-ended"))
            if tier.last < tier.first:
                raise RuleError(f"{where}.last", N_(
                    "%(last)s is before %(first)s",
                    last=tier.last, first=tier.first))
        if not isinstance(tier.weights, Mapping):
            raise RuleError(f"{where}.weights", N_("must map parties to weights"))
        total = Decimal(0)
        for party, weight in tier.weights.items():
            if party not in parties.position:
                raise RuleError(f"{where}.weights.{party}", N_(
                    "%(party)s is not a party",
                    party=repr(party)))
            if isinstance(weight, bool) or not isinstance(weight, (Decimal, int)):
                raise RuleError(f"{where}.weights.{party}", N_(
                    "%(weight)s is not a decimal weight",
                    weight=repr(weight)))
            if not Decimal(weight).is_finite():
                raise RuleError(f"{where}.weights.{party}", N_("must be a finite number"))
            if weight < 0:
                raise RuleError(f"{where}.weights.{party}", N_("a weight may not be negative"))
            total += Decimal(weight)
        if total <= 0:
            raise RuleError(f"{where}.weights", N_("the weights must have a positive sum"))
        if rule.as_percent and total != 100:
            raise RuleError(f"{where}.weights", N_(
                "percentages add up to %(total)s, not 100",
                total=total))
        spans.append((tier.first.index, None if tier.last is None else tier.last.index, i))
    spans.sort()
    for (_, last, _), (next_first, _, j) in pairwise(spans):
        if last is None or last >= next_first:
            raise RuleError(f"tiers[{j}].first", N_("overlaps another tier"))


def _validate_baseline(rule: Rule, parties: Parties) -> None:
    if rule.baseline is None:
        if rule.baseline_owner is not None:
            raise RuleError("baseline", N_("a baseline owner is given but no baseline amount"))
        return
    check_amount(rule.baseline, rule.quantum, "baseline")
    if rule.baseline_owner is None:
        raise RuleError("baseline_owner", N_("a baseline needs the party that owns it"))
    if rule.baseline_owner not in parties.position:
        raise RuleError("baseline_owner", N_(
            "%(baseline_owner)s is not a party",
            baseline_owner=repr(rule.baseline_owner)))
