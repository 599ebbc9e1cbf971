"""sharing.md steps 1–8 written out literally in Fractions: the obviously-correct reference the
property tests compare the engine with, and the plain-Fraction baseline `make bench` times."""

from __future__ import annotations

import math
from fractions import Fraction

from app.domain.quarter import quarters_between


def reference_split(rule, parties, observations, cap_overrides=None, through=None):
    """sharing.md steps 1–8 written out literally in Fractions: the obviously-correct version."""
    order = list(parties.order)
    default = parties.default_party
    quantum = Fraction(rule.quantum)
    overrides = cap_overrides or {}
    caps = {c.party: (Fraction(overrides.get(c.party, c.amount)), c.scope) for c in rule.caps}
    first = min(observations)
    last = through or max(observations)
    exact = dict.fromkeys(order, Fraction(0))
    rounded = dict.fromkeys(order, Fraction(0))
    in_scope = dict.fromkeys(caps, Fraction(0))
    total = Fraction(0)
    rows = []
    for q in quarters_between(first, last):
        v = Fraction(observations.get(q, 0))
        if rule.mode == "DUAL_COUNT":
            total += v
            rows.append(
                dict(
                    quarter=q,
                    missing=q not in observations,
                    allocation=dict.fromkeys(order, v),
                    rounded=dict.fromkeys(order, total),
                    exact=dict.fromkeys(order, total),
                    total=total,
                    caps={},
                )
            )
            continue
        tier = next((t for t in rule.tiers if t.covers(q)), None)
        if tier is None:
            w = {p: Fraction(p == default) for p in order}
        else:
            w = {p: Fraction(tier.weights.get(p, 0)) for p in order}
        if rule.baseline is not None:
            base = min(v, Fraction(rule.baseline))
            inc = v - base
        else:
            base, inc = Fraction(0), v
        e = {p: inc * w[p] / sum(w.values()) for p in order}
        if rule.baseline is not None:
            e[rule.baseline_owner] += base
        if q.number == 1:
            for p, (_, scope) in caps.items():
                if scope == "YEAR":
                    in_scope[p] = Fraction(0)
        capped = set()
        while True:
            # A party is over its cap when its share exceeds the room left (never below zero).
            room = {p: max(caps[p][0] - in_scope[p], Fraction(0)) for p in caps}
            over = [p for p in caps if p not in capped and e[p] > room[p]]
            if not over:
                break
            excess = Fraction(0)
            for p in over:
                excess += e[p] - room[p]
                e[p] = room[p]
                capped.add(p)
            takers = [p for p in order if p not in capped and w[p] > 0]
            if not takers:
                e[default] += excess
                break
            for p in takers:
                e[p] += excess * w[p] / sum(w[t] for t in takers)
        for p in caps:
            in_scope[p] += e[p]
        for p in order:
            exact[p] += e[p]
        total += v
        floors = {p: math.floor(exact[p] / quantum) for p in order}
        left = int(total / quantum) - sum(floors.values())
        remainder = {p: exact[p] / quantum - floors[p] for p in order}
        for p in sorted(order, key=lambda p: (-remainder[p], order.index(p)))[:left]:
            floors[p] += 1
        new = {p: floors[p] * quantum for p in order}
        rows.append(
            dict(
                quarter=q,
                missing=q not in observations,
                allocation={p: new[p] - rounded[p] for p in order},
                rounded=new,
                exact=dict(exact),
                total=total,
                caps=dict(in_scope),
            )
        )
        rounded = new
    return rows
