"""The audit trail's field names in words: each column an audited table can change, labelled
for people ("agreement_quarter_id" → "Agreement quarter"), and what kind of value it holds (an
amount, a moment, a yes/no), so the trail shows values as the rest of the application does.
The raw names stay on an entry's own page."""

from __future__ import annotations

from sqlalchemy import Boolean

from app.domain.messages import N_, Message
from app.models import Base
from app.models.base import ScaledDecimal, UTCDateTime

FIELD_LABELS: dict[str, Message] = {
    "agreement_id": N_("Agreement"), "agreement_quarter_id": N_("Agreement quarter"),
    "amount": N_("Amount"), "answer": N_("Answer"), "answered_at": N_("Answered at"),
    "answered_by_id": N_("Answered by"), "as_of_on": N_("As of"),
    "as_percent": N_("Entered as percentages"), "auditor_id": N_("Auditor"),
    "baseline": N_("Baseline"), "baseline_owner_id": N_("Baseline owner"),
    "basis_document": N_("Basis document"), "cap_id": N_("Cap"),
    "capacity_replacement_ref": N_("Capacity replacement reference"),
    "changes": N_("Changes since the last version"), "closed_at": N_("Closed at"),
    "code": N_("Code"), "comment": N_("Comment"), "committed_on": N_("Committed on"),
    "confirmed_at": N_("Confirmed at"), "cooperation_mode": N_("Cooperation mode"),
    "corrected_by_id": N_("Corrected by"), "covered_id": N_("Covered project"),
    "created_at": N_("Created at"), "created_by_id": N_("Created by"),
    "currency": N_("Currency"), "decided_at": N_("Decided at"),
    "decided_by_id": N_("Decided by"), "decision_note": N_("Decision note"),
    "destination_region_id": N_("Destination region"), "edition": N_("Edition"),
    "email": N_("E-mail"), "enterprise": N_("Enterprise"), "expires_at": N_("Expires at"),
    "fingerprint": N_("Fingerprint"), "first_quarter": N_("First quarter"),
    "fund_class": N_("Class"), "fund_id": N_("Fund"), "id": N_("Id"),
    "indicator_code": N_("Indicator"), "industry_code": N_("Industry"),
    "instrument": N_("Instrument"), "intensity": N_("Intensity"),
    "investment_id": N_("Investment"), "investor": N_("Investor"),
    "investor_type": N_("Investor type"), "is_active": N_("May sign in"),
    "is_default": N_("Default party"), "is_special_area": N_("Special area"),
    "is_two_high": N_("Two-high"), "issued_at": N_("Issued at"), "issued_by": N_("Issued by"),
    "issued_by_id": N_("Issued by"), "issued_report_id": N_("Issued report"),
    "kind": N_("Kind"), "land_area": N_("Land area (mu)"), "last_quarter": N_("Last quarter"),
    "last_used_at": N_("Last used at"), "level": N_("Level"), "locale": N_("Language"),
    "macro_region": N_("Macro-region"), "manager": N_("Manager"), "mode": N_("Mode"),
    "moved_on": N_("Date"), "movement_id": N_("Fund movement"), "name": N_("Name"),
    "name_en": N_("English name"), "new_value": N_("New value"), "note": N_("Note"),
    "observation_id": N_("Observation"), "occurred_on": N_("Date"),
    "old_value": N_("Old value"), "pages": N_("Pages"), "parent_code": N_("Parent"),
    "parent_id": N_("Parent region"), "park": N_("Park"), "party_id": N_("Party"),
    "password_hash": N_("Password"), "planned_investment": N_("Planned investment (yuan)"),
    "planned_jobs": N_("Planned jobs"), "position": N_("Position"), "prefix": N_("Prefix"),
    "priority": N_("Priority"), "production_start_on": N_("Production start"),
    "project_id": N_("Project"), "quantum": N_("Rounding step"), "quarter": N_("Quarter"),
    "reason": N_("Reason"), "reference": N_("Reference"), "region_id": N_("Region"),
    "reopen_reason": N_("Reason for reopening"), "requested_at": N_("Requested at"),
    "requested_by_id": N_("Requested by"), "restated_quarter": N_("Restated quarter"),
    "reversal_movement_id": N_("Reversing movement"),
    "reversal_transaction_id": N_("Reversing transaction"), "reversed_on": N_("Reversed on"),
    "reverses_id": N_("Reverses entry"), "revoked_at": N_("Revoked at"), "role": N_("Role"),
    "rule_id": N_("Rule"), "scope": N_("Scope"), "section": N_("Section"),
    "section_name": N_("Section name"), "sha256": N_("SHA-256"), "signed_on": N_("Signed on"),
    "size": N_("Size (bytes)"), "source_region_id": N_("Source region"),
    "sponsor_region_id": N_("Sponsor region"), "state": N_("State"),
    "statement_json": N_("Statement data"), "status": N_("Status"),
    "subject_code": N_("Subject code"), "subject_name": N_("Subject"),
    "submitted_at": N_("Submitted at"), "submitted_by_id": N_("Submitted by"),
    "successor_id": N_("Successor region"), "target_size": N_("Target size (yuan)"),
    "term_end_on": N_("Term end"), "term_start_on": N_("Term start"), "tier_id": N_("Tier"),
    "title": N_("Title"), "token_hash": N_("Token"), "transaction_id": N_("Transaction"),
    "type": N_("Type"), "unit": N_("Unit"), "updated_at": N_("Updated at"),
    "updated_by_id": N_("Updated by"), "uscc": N_("Unified social credit code"),
    "user_id": N_("User"), "valid_until": N_("Valid until"), "value": N_("Value"),
    "version": N_("Version"), "vintage": N_("Vintage"), "weight": N_("Weight"),
    # The security events' fields (not columns).
    "path": N_("Page"), "remote_addr": N_("From address"), "token": N_("Token"),
    "refused_in_previous_minute": N_("Refused in the previous minute"),
}
"""Each audited column's label; a column missing here shows its own name."""

_OWN_LABELS: dict[tuple[str, str], Message] = {
    ("valuations", "value"): N_("Fair value (yuan)"),
    ("investment_transactions", "amount"): N_("Amount (yuan)"),
    ("movements", "amount"): N_("Amount (yuan)"),
    ("commitments", "amount"): N_("Amount (yuan)"),
}
"""Labels that depend on the table (an amount in yuan, a fair value)."""


def field_label(entity: str, name: str) -> Message | str:
    """The label of column ``name`` of table ``entity`` (the name itself when unknown)."""
    return _OWN_LABELS.get((entity, name)) or FIELD_LABELS.get(name, name)


def _kinds() -> dict[tuple[str, str], str]:
    kinds = {}
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        for column in getattr(table, "columns", ()):
            if isinstance(column.type, ScaledDecimal):
                kinds[table.name, column.name] = "number"
            elif isinstance(column.type, UTCDateTime):
                kinds[table.name, column.name] = "moment"
            elif isinstance(column.type, Boolean):
                kinds[table.name, column.name] = "yes/no"
    return kinds


_KINDS: dict[tuple[str, str], str] | None = None


def value_kind(entity: str, name: str) -> str | None:
    """"number" (a stored decimal: an amount, a value), "moment" (a time, stored UTC),
    "yes/no", or None (shown as stored, or a code: see audit_words)."""
    global _KINDS
    if _KINDS is None:
        _KINDS = _kinds()
    return _KINDS.get((entity, name))
