"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from app.models.audit import AuditEntry, audited, set_actor
from app.models.base import Base
from app.models.caches import (
    CacheGeneration,
    FundMetricSnapshot,
    RegionLineSnapshot,
    ScopedSnapshot,
    StatementSnapshot,
)
from app.models.catalogue import (
    CatalogueCode,
    CatalogueEdition,
    CatalogueEntry,
    ScreeningResult,
)
from app.models.counters import ReferenceCounter, RefusalCounter
from app.models.deadlines import CycleSettings, LockException
from app.models.documents import Attachment, AttachmentContent
from app.models.funds import Commitment, Fund, Movement
from app.models.indexes import LIST_INDEXES  # noqa: F401  (registers the list-page indexes)
from app.models.investments import Investment, InvestmentTransaction, Valuation
from app.models.issued_reports import IssuedReport, IssuedReportContent
from app.models.notifications import Notification
from app.models.observations import Observation, ObservationCorrection
from app.models.parks import Park, ParkIndustry, ParkMembership, ParkPartner
from app.models.projects import Project
from app.models.reference import IndustryDivision, Region, RegionEdition
from app.models.reversals import ReversalRequest
from app.models.settlement import (
    SettlementConfirmation,
    SettlementDifference,
    SettlementNotice,
    SettlementRun,
)
from app.models.sharing import (
    Agreement,
    AgreementParty,
    CapOverride,
    CoveredPark,
    CoveredProject,
    IndicatorDefinition,
    RuleCap,
    RuleTier,
    SharingRule,
    TierWeight,
)
from app.models.tokens import ApiToken
from app.models.uploads import Upload
from app.models.users import RoleGrant, SignInAttempt, User, UserSession
from app.models.workflow import AgreementQuarter, Confirmation, FrozenAllocation, Review

for _model in (Region, IndustryDivision, User, RoleGrant, Fund, Commitment, Movement, Project,
               Investment, InvestmentTransaction, Valuation, IndicatorDefinition, Agreement,
               AgreementParty, CoveredProject, SharingRule, RuleTier, TierWeight, RuleCap,
               CapOverride, Observation, ObservationCorrection, AgreementQuarter, Confirmation,
               Review, ApiToken, IssuedReport, ReversalRequest, Attachment, SettlementRun,
               SettlementConfirmation, SettlementNotice, SettlementDifference, CatalogueEdition,
               CatalogueEntry, CatalogueCode, ScreeningResult, Park, ParkPartner, ParkIndustry,
               ParkMembership, CoveredPark, CycleSettings, LockException):
    audited(_model)

__all__ = [
    "Agreement", "AgreementParty", "AgreementQuarter", "ApiToken", "Attachment",
    "AttachmentContent", "AuditEntry", "Base", "CacheGeneration", "CapOverride",
    "CatalogueCode", "CatalogueEdition", "CatalogueEntry", "Commitment", "Confirmation",
    "CoveredPark", "CoveredProject", "CycleSettings",
    "FrozenAllocation", "Fund", "FundMetricSnapshot", "IndicatorDefinition", "IndustryDivision",
    "Investment", "InvestmentTransaction", "IssuedReport", "IssuedReportContent",
    "LockException", "Movement",
    "Notification", "Observation", "ObservationCorrection", "Park", "ParkIndustry",
    "ParkMembership", "ParkPartner", "Project", "ReferenceCounter", "RefusalCounter",
    "Region", "RegionEdition", "RegionLineSnapshot", "ReversalRequest", "Review", "RoleGrant",
    "RuleCap", "RuleTier", "ScopedSnapshot", "ScreeningResult", "SettlementConfirmation",
    "SettlementDifference",
    "SettlementNotice", "SettlementRun", "SharingRule", "SignInAttempt", "StatementSnapshot",
    "TierWeight",
    "Upload", "User", "UserSession", "Valuation", "set_actor",
]
