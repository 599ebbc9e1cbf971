"""Sharing agreements: parties, covered projects, one rule per indicator with tiers and caps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.codes import AgreementStatus, CapScope, PartyRole, SharingMode
from app.domain.quarter import Quarter
from app.models.base import Base, CreatedAt, IntPK, Name, QuarterType, ScaledDecimal, coded
from app.models.parks import Park
from app.models.projects import Project
from app.models.reference import Region


class IndicatorDefinition(Base):
    """A shared indicator: a flow per quarter in ``unit``, exact to ``quantum`` (e.g. 0.01)."""

    __tablename__ = "indicator_definitions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[Name]
    name_en: Mapped[Name]
    unit: Mapped[str] = mapped_column(String(16))
    quantum: Mapped[str] = mapped_column(String(12), default="0.01")
    position: Mapped[int] = mapped_column(default=0)
    settles: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Money that changes hands between treasuries (local retained tax); statistics and quotas
    (output, revenue, land, energy) do not. A dual-counted rule never settles, whatever this
    says."""

    @property
    def quantum_decimal(self) -> Decimal:
        """The quantum as a Decimal."""
        return Decimal(self.quantum)


class Agreement(Base):
    """A sharing agreement between two or more regions (its parties)."""

    __tablename__ = "agreements"

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[Name]
    basis_document: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[dt.date | None]
    status: Mapped[AgreementStatus] = coded(AgreementStatus, default=AgreementStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[CreatedAt]
    activated_on: Mapped[dt.date | None]
    """The local date the agreement was signed in the application (activated): quarters that
    ended before it count their deadlines from it (app.domain.deadlines)."""
    timely_days: Mapped[int | None]
    """This agreement's days to the timely date, or None for the administrator's default."""
    lock_days: Mapped[int | None]
    """This agreement's days until entry locks, or None for the administrator's default."""
    version: Mapped[int] = mapped_column(default=1)

    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement", order_by="AgreementParty.priority",
        cascade="all, delete-orphan")
    covered: Mapped[list[CoveredProject]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="CoveredProject.id")
    rules: Mapped[list[SharingRule]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan",
        order_by="SharingRule.indicator_code")
    covered_parks: Mapped[list[CoveredPark]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="CoveredPark.id")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AgreementParty(Base):
    """A region taking part in an agreement, with its role and priority (1 is the highest)."""

    __tablename__ = "agreement_parties"
    __table_args__ = (
        UniqueConstraint("agreement_id", "region_id"),
        UniqueConstraint("agreement_id", "priority"),
        CheckConstraint("priority >= 1", name="priority_positive"),
    )

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    role: Mapped[PartyRole] = coded(PartyRole)
    priority: Mapped[int]
    is_default: Mapped[bool] = mapped_column(default=False)

    agreement: Mapped[Agreement] = relationship(back_populates="parties")
    region: Mapped[Region] = relationship()

    @property
    def key(self) -> str:
        """The party's name in the split engine: its region code."""
        return self.region.code


class CoveredProject(Base):
    """A project an agreement applies to: named in the agreement (``via_park_id`` None, over
    its whole life), or as a member of a park the agreement covers, from ``first_quarter``
    through ``last_quarter`` (None: still a member). Rows via a park follow the park's
    membership, also once the agreement is signed."""

    __tablename__ = "covered_projects"
    __table_args__ = (UniqueConstraint("agreement_id", "project_id"),)

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    via_park_id: Mapped[int | None] = mapped_column(ForeignKey("parks.id"))
    first_quarter: Mapped[Quarter | None] = mapped_column(QuarterType)
    last_quarter: Mapped[Quarter | None] = mapped_column(QuarterType)

    agreement: Mapped[Agreement] = relationship(back_populates="covered")
    project: Mapped[Project] = relationship()
    via_park: Mapped[Park | None] = relationship()
    cap_overrides: Mapped[list[CapOverride]] = relationship(
        back_populates="covered", cascade="all, delete-orphan")


class CoveredPark(Base):
    """A park whose every project an agreement applies to: each from the later of its joining
    the park and the agreement's first quarter, until it leaves the park."""

    __tablename__ = "covered_parks"
    __table_args__ = (UniqueConstraint("agreement_id", "park_id"),)

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    park_id: Mapped[int] = mapped_column(ForeignKey("parks.id"), index=True)

    agreement: Mapped[Agreement] = relationship(back_populates="covered_parks")
    park: Mapped[Park] = relationship()


class SharingRule(Base):
    """How one indicator is shared under one agreement. Amounts in the indicator's unit."""

    __tablename__ = "sharing_rules"
    __table_args__ = (UniqueConstraint("agreement_id", "indicator_code"),)

    id: Mapped[IntPK]
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator_definitions.code"))
    mode: Mapped[SharingMode] = coded(SharingMode)
    baseline: Mapped[Decimal | None] = mapped_column(ScaledDecimal(4))
    baseline_owner_id: Mapped[int | None] = mapped_column(ForeignKey("agreement_parties.id"))
    as_percent: Mapped[bool] = mapped_column(default=False)

    agreement: Mapped[Agreement] = relationship(back_populates="rules")
    indicator: Mapped[IndicatorDefinition] = relationship()
    baseline_owner: Mapped[AgreementParty | None] = relationship()
    tiers: Mapped[list[RuleTier]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="RuleTier.first_quarter")
    caps: Mapped[list[RuleCap]] = relationship(
        back_populates="rule", cascade="all, delete-orphan", order_by="RuleCap.id")


class RuleTier(Base):
    """Weights per party from ``first_quarter`` to ``last_quarter`` (None: open-ended)."""

    __tablename__ = "rule_tiers"

    id: Mapped[IntPK]
    rule_id: Mapped[int] = mapped_column(ForeignKey("sharing_rules.id", ondelete="CASCADE"))
    first_quarter: Mapped[Quarter] = mapped_column(QuarterType)
    last_quarter: Mapped[Quarter | None] = mapped_column(QuarterType)

    rule: Mapped[SharingRule] = relationship(back_populates="tiers")
    weights: Mapped[list[TierWeight]] = relationship(
        back_populates="tier", cascade="all, delete-orphan", order_by="TierWeight.party_id")


class TierWeight(Base):
    """One party's non-negative weight in a tier (exact to 0.0001)."""

    __tablename__ = "tier_weights"
    __table_args__ = (
        UniqueConstraint("tier_id", "party_id"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[IntPK]
    tier_id: Mapped[int] = mapped_column(ForeignKey("rule_tiers.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id", ondelete="CASCADE"))
    weight: Mapped[Decimal] = mapped_column(ScaledDecimal(4))

    tier: Mapped[RuleTier] = relationship(back_populates="weights")
    party: Mapped[AgreementParty] = relationship()


class RuleCap(Base):
    """A ceiling on one party's cumulative share per covered project, over the agreement's life
    or per calendar year, in the indicator's unit."""

    __tablename__ = "rule_caps"
    __table_args__ = (
        UniqueConstraint("rule_id", "party_id"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[IntPK]
    rule_id: Mapped[int] = mapped_column(ForeignKey("sharing_rules.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("agreement_parties.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    scope: Mapped[CapScope] = coded(CapScope)

    rule: Mapped[SharingRule] = relationship(back_populates="caps")
    party: Mapped[AgreementParty] = relationship()


class CapOverride(Base):
    """A covered project's own amount for one cap of a rule (caps are usually firm-specific)."""

    __tablename__ = "cap_overrides"
    __table_args__ = (
        UniqueConstraint("covered_id", "cap_id"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[IntPK]
    covered_id: Mapped[int] = mapped_column(ForeignKey("covered_projects.id", ondelete="CASCADE"))
    cap_id: Mapped[int] = mapped_column(ForeignKey("rule_caps.id", ondelete="CASCADE"))
    amount: Mapped[Decimal] = mapped_column(ScaledDecimal(4))

    covered: Mapped[CoveredProject] = relationship(back_populates="cap_overrides")
    cap: Mapped[RuleCap] = relationship()
