"""Agreements, rules and observations built through the services, for the sharing tests."""

from __future__ import annotations

from decimal import Decimal

from app.domain.codes import CapScope, PartyRole, SharingMode
from app.domain.quarter import Quarter
from app.services.access.scopes import SYSTEM
from app.services.sharing import agreements, observations

DESTINATION = "441600"  # 河源市
SOURCE = "440300"  # 深圳市


def make_agreement(db, code, project_codes, rules, *, activate=True):
    """An agreement between Heyuan (destination) and Shenzhen (source) with the given rules:
    a list of ``agreements.RuleData``."""
    agreement = agreements.create_agreement(db, SYSTEM, agreements.AgreementData(
        code=code, title=f"协议 {code}", basis_document="财预〔2015〕92号",
        parties=[agreements.PartyData(DESTINATION, PartyRole.DESTINATION),
                 agreements.PartyData(SOURCE, PartyRole.SOURCE)]))
    agreements.set_covered_projects(db, SYSTEM, agreement.id, project_codes)
    for rule in rules:
        agreements.set_rule(db, SYSTEM, agreement.id, rule)
    if activate:
        agreements.activate(db, SYSTEM, agreement.id, agreement.version)
    return agreement


def half_and_half(indicator="TAX_LOCAL", first="2024Q1", last=None, caps=(), baseline=None,
                  mode=SharingMode.SPLIT):
    """A 1:1 rule between the two parties from ``first``."""
    return agreements.RuleData(
        indicator=indicator, mode=mode,
        tiers=[agreements.TierData(Quarter.parse(first), Quarter.parse(last) if last else None,
                                   {DESTINATION: Decimal(1), SOURCE: Decimal(1)})],
        baseline=baseline, baseline_owner=DESTINATION if baseline is not None else "",
        caps=[agreements.CapData(SOURCE, Decimal(a), CapScope(s)) for a, s in caps])


def observe(db, quarter, values, actor=SYSTEM, reason=""):
    """Enter ``{(project_code, indicator): value}`` for one quarter."""
    return observations.enter_observations(db, actor, Quarter.parse(quarter), [
        observations.ObservationEntry(p, i, None if v is None else Decimal(v), reason)
        for (p, i), v in values.items()])
