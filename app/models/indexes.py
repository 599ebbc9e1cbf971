"""Indexes for the list pages' sort orders and the dashboards' date-range reads (issue 6):
declared here, beside the tables they index, so that one migration adds them all."""

from __future__ import annotations

from sqlalchemy import Index, text

from app.models.audit import AuditEntry
from app.models.funds import Fund, Movement
from app.models.investments import InvestmentTransaction
from app.models.observations import Observation
from app.models.projects import Project
from app.models.sharing import Agreement

LIST_INDEXES = (
    Index("ix_funds_name_id", Fund.name, Fund.id),
    Index("ix_projects_name_id", Project.name, Project.id),
    Index("ix_agreements_title_id", Agreement.title, Agreement.id),
    # the observation list by quarter or indicator, the region page's quarter totals
    Index("ix_observations_quarter_project_id_indicator_code",
          Observation.quarter, Observation.project_id, Observation.indicator_code),
    Index("ix_observations_indicator_code_quarter", Observation.indicator_code,
          Observation.quarter),
    Index("ix_audit_entries_entity_seq", AuditEntry.entity, AuditEntry.seq),
    # a fund's first activity (dashboard series) and a quarter's entries (fund reports)
    Index("ix_investment_transactions_fund_id_occurred_on", InvestmentTransaction.fund_id,
          InvestmentTransaction.occurred_on),
    Index("ix_movements_fund_id_moved_on", Movement.fund_id, Movement.moved_on),
    # the transfer flows of the home pages: Σ disbursements per investment, read from the index
    # alone (nation tier: 60,000 of 190,000 transactions; 62 ms by a table scan, 6 ms by it)
    Index("ix_investment_transactions_disbursed", InvestmentTransaction.investment_id,
          postgresql_include=["amount", "reverses_id"],
          postgresql_where=text("type = 'DISBURSEMENT'"),
          sqlite_where=text("type = 'DISBURSEMENT'")),
)
