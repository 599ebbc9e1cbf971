"""SQLAlchemy models, one module per aggregate. Importing this package registers them all."""

from app.models.audit import AuditEntry, audited, set_actor
from app.models.base import Base
from app.models.funds import Commitment, Fund, Movement
from app.models.investments import Investment, InvestmentTransaction, Valuation
from app.models.projects import Project
from app.models.reference import IndustryDivision, Region
from app.models.users import RoleGrant, SignInAttempt, User

for _model in (Region, IndustryDivision, User, RoleGrant, Fund, Commitment, Movement, Project,
               Investment, InvestmentTransaction, Valuation):
    audited(_model)

__all__ = [
    "AuditEntry", "Base", "Commitment", "Fund", "IndustryDivision", "Investment",
    "InvestmentTransaction", "Movement", "Project", "Region", "RoleGrant", "SignInAttempt",
    "User", "Valuation", "set_actor",
]
