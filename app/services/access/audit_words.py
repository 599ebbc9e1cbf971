"""The audit trail in words: each entry as a sentence ("王芳 confirmed 2026Q3 for 深圳市"), with
names for the ids it holds and labels for its codes.

The names of a page of entries are read in one statement, whatever the number of rows and
whichever kinds they hold (users, funds, projects, regions, agreements, parks, parties,
agreement quarters, observations, investments). Sentences and
field labels are :class:`Message` values (``N_``), so the web shows them in the user's language;
coded values stay enum members and moments ``datetime`` values (UTC), for the web to label and
show in local time; stored decimals (amounts, values) become text with thousands separators.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import (
    CompoundSelect,
    Select,
    String,
    bindparam,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from app.domain.codes import Coded, Instrument, Role
from app.domain.messages import N_, Message
from app.models import (
    Agreement,
    AgreementParty,
    AgreementQuarter,
    AuditEntry,
    Base,
    Fund,
    Investment,
    Observation,
    Park,
    Project,
    Region,
    User,
)
from app.services.access.audit_fields import field_label, value_kind

ENTITY_LABELS: dict[str, Message] = {
    "regions": N_("Regions"), "industry_divisions": N_("Industries"), "users": N_("Users"),
    "role_grants": N_("Role grants"), "funds": N_("Funds"), "commitments": N_("Commitments"),
    "movements": N_("Fund movements"), "projects": N_("Projects"),
    "investments": N_("Investments"), "investment_transactions": N_("Investment transactions"),
    "valuations": N_("Valuations"), "indicator_definitions": N_("Indicators"),
    "agreements": N_("Agreements"), "agreement_parties": N_("Agreement parties"),
    "covered_projects": N_("Covered projects"), "sharing_rules": N_("Sharing rules"),
    "rule_tiers": N_("Rule tiers"), "tier_weights": N_("Tier weights"),
    "rule_caps": N_("Rule caps"), "cap_overrides": N_("Cap overrides"),
    "observations": N_("Observations"), "observation_corrections": N_("Observation corrections"),
    "agreement_quarters": N_("Agreement quarters"), "confirmations": N_("Confirmations"),
    "reviews": N_("Reviews"), "api_tokens": N_("API tokens"),
    "issued_reports": N_("Issued reports"), "reversal_requests": N_("Reversal requests"),
    "attachments": N_("Attached documents"),
    "security": N_("Security events"), "settlement_runs": N_("Settlement runs"),
    "settlement_confirmations": N_("Settlement confirmations"),
    "settlement_notices": N_("Settlement notices"),
    "settlement_differences": N_("Settlement differences"),
    "parks": N_("Parks"),
    "park_partners": N_("Park partners"), "park_industries": N_("Park leading industries"),
    "park_memberships": N_("Park memberships"), "covered_parks": N_("Covered parks"),
    "cycle_settings": N_("Deadline settings"),
    "lock_exceptions": N_("Lock exceptions"),
}

# Which id columns name what (column name → kind of name).
_REFERENCES = {
    "user_id": "users", "auditor_id": "users", "created_by_id": "users",
    "updated_by_id": "users", "submitted_by_id": "users", "corrected_by_id": "users",
    "answered_by_id": "users", "issued_by_id": "users", "requested_by_id": "users",
    "decided_by_id": "users", "uploaded_by_id": "users", "fund_id": "funds",
    "project_id": "projects",
    "region_id": "regions", "sponsor_region_id": "regions", "source_region_id": "regions",
    "destination_region_id": "regions", "parent_id": "regions", "agreement_id": "agreements",
    "agreement_quarter_id": "agreement_quarters", "party_id": "parties",
    "observation_id": "observations", "successor_id": "regions",
    "baseline_owner_id": "parties", "investment_id": "investments",
    "computed_by_id": "users", "recorded_by_id": "users",
    "resolved_by_id": "users", "payer_region_id": "regions", "payee_region_id": "regions",
    "park_id": "parks", "via_park_id": "parks",
    "host_region_id": "regions",
    "granted_by_id": "users", "revoked_by_id": "users",
}
_SECURITY_EVENTS = {"SIGN_IN_FAILED": N_("a sign-in was refused"),
                    "ACCESS_DENIED": N_("a page outside their scope was refused"),
                    "TOKEN_REFUSED": N_("an API token was refused")}
_REPORT_KINDS = {"fund": N_("Fund report"), "statement": N_("Sharing statement"),
                 "region": N_("Regional report")}
# The entity whose own id names it.
_SELF = {"users": "users", "funds": "funds", "projects": "projects", "regions": "regions",
         "agreements": "agreements", "agreement_quarters": "agreement_quarters",
         "agreement_parties": "parties", "observations": "observations", "parks": "parks"}


@dataclass
class Described:
    """An entry in words: the sentence, and its changed fields as (field, label, old, new) with
    names for ids, enum members for codes, decimals as text with thousands separators and
    moments as UTC ``datetime`` values (None when the preview did not hold the changes)."""

    sentence: Message
    fields: list[tuple[str, object, object, object]] | None = field(default_factory=list)


def describe_entries(session: Session, entries: list[AuditEntry]) -> dict[int, Described]:
    """Each entry (read with ``audit.with_previews``) in words, by its seq."""
    parsed = {e.seq: _changes(e) for e in entries}
    wanted: dict[str, set[int]] = {kind: set() for kind in (
        "users", "funds", "projects", "regions", "agreements", "agreement_quarters", "parties",
        "observations", "investments", "parks")}
    for e in entries:
        if e.actor_id:
            wanted["users"].add(e.actor_id)
        if e.entity in _SELF and e.entity_id.isdigit():
            wanted[_SELF[e.entity]].add(int(e.entity_id))
        for name, (old, new) in (parsed[e.seq] or {}).items():
            if name in _REFERENCES:
                for value in (old, new):
                    if isinstance(value, int):
                        wanted[_REFERENCES[name]].add(value)
    names = _Names(session, wanted)
    return {e.seq: _describe(e, parsed[e.seq], names) for e in entries}


def _changes(entry: AuditEntry) -> dict[str, tuple[object, object]] | None:
    text = entry.changes_preview if entry.changes_length is not None else entry.changes
    if entry.changes_length is not None and entry.changes_length > len(text or ""):
        return None
    try:
        raw = json.loads(text or "{}")
    except (ValueError, RecursionError):
        return {}
    if not isinstance(raw, dict):
        return {}
    return {k: (v[0], v[1]) if isinstance(v, list) and len(v) == 2 else (None, v)
            for k, v in sorted(raw.items())}


class _Names:
    """The names of a page's ids, every kind read in one statement (see :func:`_names_query`)."""

    def __init__(self, session: Session, wanted: dict[str, set[int]]) -> None:
        self.users: dict[int, str] = {}
        self.funds: dict[int, str] = {}
        self.projects: dict[int, str] = {}
        self.regions: dict[int, str] = {}
        self.agreements: dict[int, str] = {}
        self.parks: dict[int, str] = {}
        self.parties: dict[int, str] = {}
        self.quarters: dict[int, tuple[str, str]] = {}  # (agreement code, quarter)
        self.observations: dict[int, str] = {}  # "project indicator quarter"
        self.investments: dict[int, Message] = {}
        if not any(wanted.values()):
            return
        simple = {"users": self.users, "funds": self.funds, "projects": self.projects,
                  "regions": self.regions, "agreements": self.agreements,
                  "parks": self.parks, "parties": self.parties}
        params = {f"{kind}_ids": sorted(ids) for kind, ids in wanted.items()}
        for kind, key, first, second, third in session.execute(_names_query(), params):
            if kind in simple:
                simple[kind][key] = first
            elif kind == "agreement_quarters":
                self.quarters[key] = (first, second)
            elif kind == "observations":
                self.observations[key] = f"{first} {second} {third}"
            else:
                self.investments[key] = N_("%(project)s of %(fund)s (%(instrument)s)",
                                           project=first, fund=second,
                                           instrument=_member(Instrument, third))

    def of(self, kind: str, value: object) -> object:
        """The name of id ``value`` of ``kind`` (the id itself when unknown, e.g. deleted)."""
        if not isinstance(value, int):
            return value
        if kind == "agreement_quarters":
            return self.quarter(value) or value
        if kind == "observations":
            return self.observation(value) or value
        table = {"users": self.users, "funds": self.funds, "projects": self.projects,
                 "regions": self.regions, "agreements": self.agreements,
                 "parties": self.parties, "investments": self.investments,
                 "parks": self.parks}[kind]
        return table.get(value, value)

    def quarter(self, qid: int) -> str | None:
        found = self.quarters.get(qid)
        return f"{found[0]} {found[1]}" if found else None

    def observation(self, oid: int) -> str | None:
        return self.observations.get(oid)


@functools.cache
def _names_query() -> CompoundSelect:
    """One ``UNION ALL`` that names the ids of every kind an entry refers to, as rows of (kind,
    id, first, second, third) text: a name or code first; an agreement quarter's agreement code
    and quarter, an observation's project code, indicator and quarter, an investment's project
    and fund codes and instrument code. The ids of each kind are the expanding parameter
    ``<kind>_ids`` (empty lists allowed); built once, as its shape never changes."""
    def kind_of(kind: str, key, *texts, joins=()) -> Select:
        columns = [type_coerce(t, String) for t in texts]
        columns += [type_coerce(null(), String)] * (3 - len(columns))
        query = select(literal(kind, String).label("kind"), key.label("id"), *columns)
        for target, on in joins:
            query = query.join(target, on)
        return query.where(key.in_(bindparam(f"{kind}_ids", expanding=True)))
    return union_all(
        kind_of("users", User.id, User.name), kind_of("funds", Fund.id, Fund.code),
        kind_of("projects", Project.id, Project.code),
        kind_of("regions", Region.id, Region.name),
        kind_of("agreements", Agreement.id, Agreement.code),
        kind_of("parks", Park.id, Park.code),
        kind_of("parties", AgreementParty.id, Region.name,
                joins=[(Region, AgreementParty.region_id == Region.id)]),
        kind_of("agreement_quarters", AgreementQuarter.id, Agreement.code,
                AgreementQuarter.quarter,
                joins=[(Agreement, AgreementQuarter.agreement_id == Agreement.id)]),
        kind_of("observations", Observation.id, Project.code, Observation.indicator_code,
                Observation.quarter, joins=[(Project, Observation.project_id == Project.id)]),
        kind_of("investments", Investment.id, Project.code, Fund.code, Investment.instrument,
                joins=[(Project, Investment.project_id == Project.id),
                       (Fund, Investment.fund_id == Fund.id)]))


@functools.cache
def _enum_of(entity: str, name: str) -> type[Coded] | None:
    """The code enum of column ``name`` of table ``entity`` (None for other columns); found once
    per column, as the mapped tables do not change while the app runs."""
    for mapper in Base.registry.mappers:
        if mapper.local_table is not None and getattr(mapper.local_table, "name", "") == entity:
            column = mapper.local_table.columns.get(name)
            enum = getattr(getattr(column, "type", None), "enum_class", None)
            return enum if enum and issubclass(enum, Coded) else None
    return None


def _shown(entity: str, name: str, value: object, names: _Names) -> object:
    if value is None:
        return None
    if name in _REFERENCES:
        return names.of(_REFERENCES[name], value)
    kind = value_kind(entity, name)
    if kind == "number":
        return number(value)
    if kind == "moment" and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    if kind == "yes/no" and isinstance(value, bool):
        return N_("yes") if value else N_("no")
    if entity == "role_grants" and name == "role":
        return _member(Role, value)
    if entity == "issued_reports" and name == "kind":
        return _REPORT_KINDS.get(value, value)
    enum = _enum_of(entity, name)
    return value if enum is None else _member(enum, value)


def _member(enum: type[Coded], value: object) -> object:
    try:
        return enum(value)
    except ValueError:
        return value


def number(value: object) -> str:
    """A stored decimal as text with thousands separators and at least two decimals."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = max(2, -amount.normalize().as_tuple().exponent)
    return f"{amount:,.{places}f}"


def _describe(entry: AuditEntry, changes, names: _Names) -> Described:
    who = names.users.get(entry.actor_id, entry.actor) if entry.actor_id else entry.actor
    fields = None if changes is None else [
        (name, field_label(entry.entity, name), _shown(entry.entity, name, old, names),
         _shown(entry.entity, name, new, names))
        for name, (old, new) in changes.items()]
    return Described(_sentence(entry, who, changes or {}, names), fields)


def _sentence(entry: AuditEntry, who: str, changes: dict, names: _Names) -> Message:
    entity, action = entry.entity, entry.action
    own = int(entry.entity_id) if entry.entity_id.isdigit() else None

    def new(name):
        return changes.get(name, (None, None))[1]

    if entity == "observations":
        what = names.observation(own) if own else None
        if what is None and new("project_id"):
            what = f"{names.of('projects', new('project_id'))} {new('indicator_code')} " \
                   f"{new('quarter')}"
        what = what or entry.entity_id
        if action == "INSERT":
            return N_("%(who)s entered %(what)s: %(value)s", who=who, what=what,
                      value=number(new("value")))
        if action == "UPDATE" and "value" in changes:
            old_value, new_value = changes["value"]
            return N_("%(who)s changed %(what)s from %(old)s to %(new)s", who=who, what=what,
                      old=number(old_value), new=number(new_value))
    if entity == "confirmations" and action == "INSERT":
        found = names.quarters.get(new("agreement_quarter_id"))
        return N_("%(who)s confirmed %(quarter)s for %(party)s", who=who,
                  quarter=found[1] if found else "?",
                  party=names.of("parties", new("party_id")))
    if entity == "settlement_confirmations" and action == "INSERT":
        return N_("%(who)s confirmed a settlement run for %(party)s", who=who,
                  party=names.of("parties", new("party_id")))
    if entity == "settlement_notices" and action == "INSERT":
        return N_("%(who)s recorded settlement notice %(number)s: %(payer)s to %(payee)s, "
                  "%(amount)s booked", who=who, number=new("number"),
                  payer=names.of("regions", new("payer_region_id")),
                  payee=names.of("regions", new("payee_region_id")), amount=number(new("amount")))
    if entity == "reviews" and action == "INSERT":
        return N_("%(who)s reviewed %(quarter)s: %(kind)s", who=who,
                  quarter=names.of("agreement_quarters", new("agreement_quarter_id")),
                  kind=_shown(entity, "kind", new("kind"), names))
    if entity == "agreement_quarters" and "state" in changes:
        old_state, new_state = changes["state"]
        if old_state is None:
            return N_("%(who)s opened %(quarter)s as %(new)s", who=who,
                      quarter=names.of("agreement_quarters", own),
                      new=_shown(entity, "state", new_state, names))
        return N_("%(who)s moved %(quarter)s from %(old)s to %(new)s", who=who,
                  quarter=names.of("agreement_quarters", own),
                  old=_shown(entity, "state", old_state, names) or "—",
                  new=_shown(entity, "state", new_state, names))
    if entity in ("investment_transactions", "movements") and action == "INSERT":
        what = (names.of("investments", new("investment_id")) if entity != "movements"
                else names.of("funds", new("fund_id")))
        return N_("%(who)s recorded %(type)s: %(amount)s yuan, %(what)s (%(reference)s)",
                  who=who, type=_shown(entity, "type", new("type"), names),
                  amount=number(new("amount")), what=what, reference=new("reference") or "—")

    if entity == "attachments":
        document = str(new("filename") or entry.entity_id)
        if action == "INSERT":
            return N_("%(who)s attached the document %(name)s", who=who, name=document)
        if action == "DOWNLOAD":
            return N_("%(who)s downloaded the document %(name)s", who=who, name=document)
        if action == "UPDATE" and new("superseded_by_id"):
            return N_("%(who)s superseded document %(id)s with document %(new)s", who=who,
                      id=entry.entity_id, new=new("superseded_by_id"))
    if entity == "security":
        event = _SECURITY_EVENTS.get(action)
        if event is not None:
            return N_("%(who)s: %(event)s", who=who, event=event)
        return N_("%(who)s: security event %(action)s", who=who, action=action)
    label = ENTITY_LABELS.get(entity, entity)
    name = names.of(_SELF[entity], own) if entity in _SELF and own else entry.entity_id
    if entity in ("funds", "projects", "agreements", "parks") and action == "INSERT" \
            and new("code"):
        name = new("code")
    if action == "INSERT":
        return N_("%(who)s created %(name)s (%(kind)s)", who=who, kind=label, name=name)
    if action == "DELETE":
        return N_("%(who)s deleted %(name)s (%(kind)s)", who=who, kind=label, name=name)
    return N_("%(who)s changed %(name)s (%(kind)s)", who=who, kind=label, name=name)
