"""Ledger rows — fund movements and investment transactions (yuan) — checked a chunk at a time
and inserted in bulk; never changed once imported.

Keyed by (fund, reference): a reference already in the fund's ledger with the same content is
unchanged; with other content it is an error (post a reversal instead). ``reverses`` names the
reference, in the same fund, of the entry a row reverses; a reversal repeats that entry's type,
amount (and position) and follows the services' rules of reversing. A user's reversal that
would restate an issued fund report is refused: it needs a second person's approval on the web
(see services.reversals); the operator's imports are not held.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app.domain.amounts import amount_errors
from app.domain.codes import Instrument, TransactionType
from app.domain.messages import N_
from app.models import InvestmentTransaction, Movement
from app.services.exchange.imports.bulk import padded, rows_with_keys
from app.services.exchange.imports.engine import ChunkedHandler, Context, KindResult
from app.services.exchange.imports.lookups import Lookups, no_fund, no_project
from app.services.funds.investments import open_investment, repayment_errors, type_errors
from app.services.funds.ledger import issued_fund_quarters, restated_quarter, reversal_errors


@dataclass(slots=True)
class Entry:
    """A ledger row as compared: from the database, or accepted from this file (``number``)."""

    id: int | None
    number: int | None
    content: tuple
    type: object
    on: dt.date
    amount: Decimal
    reverses_id: int | None
    created_at: dt.datetime | None = None


class LedgerHandler(ChunkedHandler):
    """What movements and transactions share: keys, immutability, reversals, bulk insert."""

    model: type
    date_field = ""
    content_fields: tuple[str, ...] = ()
    content_columns: tuple[str, ...] = ()

    def __init__(self, ctx: Context, result: KindResult):
        super().__init__(ctx, result)
        self.table = self.model.__table__
        self.lookups = Lookups(ctx)
        self.batch: list[dict] = []
        self.numbers: list[int] = []

    def flush(self, rows: list[tuple[int, dict, dict]]) -> None:
        """Check one chunk against the ledger and insert its new rows."""
        self.lookups.load_funds(v["fund_code"] for _, v, _ in rows)
        self.prepare(rows)
        funds = self.lookups.funds
        refs: dict[int, set[str]] = {}
        for _, values, _ in rows:
            if (fund_id := funds[values["fund_code"]]) is not None:
                refs.setdefault(fund_id, set()).add(values["reference"])
                if values["reverses"]:
                    refs[fund_id].add(values["reverses"])
        existing = self._existing(refs)
        self.issued = issued_fund_quarters(self.session, refs) \
            if self.ctx.actor.user_id is not None else {}
        self.reversed = set(self.session.scalars(select(self.table.c.reverses_id).where(
            self.table.c.reverses_id.in_(padded(e.id for e in existing.values()))))) \
            if existing else set()
        self.new: dict[tuple[int, str], tuple[int, dict]] = {}  # accepted: (row, record)
        for number, values, raw in rows:
            fund_id = self.lookups.funds.get(values["fund_code"])
            if fund_id is None:
                self.error(number, "fund_code", raw["fund_code"], no_fund(values["fund_code"]))
                continue
            record = self.record(number, values, raw, fund_id)
            if record is None:
                continue
            key = (fund_id, values["reference"])
            if key in self.new:
                self.error(number, "reference", raw["reference"],
                           N_("appears earlier in this file (row %(row)s)", row=self.new[key][0]))
            elif key in existing:
                self._compare(number, values, raw, self._content(record), existing[key],
                              existing)
            elif (not values["reverses"]
                  or self._reversal(number, values, raw, record, existing, fund_id)) \
                    and self.accept(number, values, raw, record):
                self.batch.append(record)
                self.numbers.append(number)
                self.new[key] = (number, record)
        self.write_batch()

    def _existing(self, refs: dict[int, set[str]]) -> dict[tuple[int, str], Entry]:
        """The ledger rows already holding these (fund, reference) keys."""
        rows = rows_with_keys(self.session, self.table, ("fund_id", "reference"),
                              ((fund, ref) for fund, refs_ in refs.items() for ref in refs_))
        return {(r.fund_id, r.reference): self._entry(r.id, None, r._asdict()) for r in rows}

    def _content(self, record: dict) -> tuple:
        return tuple([record[f] for f in self.content_fields])

    def _entry(self, id_: int | None, number: int | None, record: dict) -> Entry:
        return Entry(id_, number, self._content(record), record["type"],
                     record[self.date_field], record["amount"], record.get("reverses_id"),
                     record.get("created_at"))

    def _target(self, fund_id: int, reference: str | None, existing: dict) -> Entry | None:
        if not reference:
            return None
        key = (fund_id, reference)
        if key in self.new:
            number, record = self.new[key]
            return self._entry(None, number, record)
        return existing.get(key)

    def _compare(self, number: int, values: dict, raw: dict, content: tuple, old: Entry,
                 existing: dict) -> None:
        fund_id = self.lookups.funds[values["fund_code"]]
        if old.created_at == self.ctx.stamp:
            self.error(number, "reference", raw["reference"],
                       N_("appears earlier in this file"))
            return
        target = self._target(fund_id, values["reverses"], existing)
        differ = [c for c, a, b in zip(self.content_columns, content, old.content, strict=True)
                  if a != b]
        if (target.id if target else None) != old.reverses_id:
            differ.append("reverses")
        if differ:
            self.error(number, "reference", raw["reference"], N_(
                "is in this fund's ledger already with another %(columns)s; a ledger row never "
                "changes: post a reversal instead", columns=", ".join(differ)))
        else:
            self.result.unchanged += 1

    def _reversal(self, number: int, values: dict, raw: dict, record: dict, existing: dict,
                  fund_id: int) -> bool:
        original = self._target(fund_id, values["reverses"], existing)
        if original is None:
            self.error(number, "reverses", raw["reverses"],
                       N_("is not a reference in this fund"))
            return False
        if original.id is None:  # earlier in this chunk: insert it first to know its id
            self.write_batch()
            original.id = self.session.scalar(select(self.table.c.id).where(
                self.table.c.fund_id == fund_id, self.table.c.reference == values["reverses"]))
        errors = reversal_errors(original.reverses_id, original.id in self.reversed,
                                 original.on, values["date"], values["note"] or "")
        if quarter := restated_quarter(self.issued.get(fund_id, set()), original.on,
                                       values["date"]):
            errors.setdefault("reverses", []).append(N_(
                "the fund report of %(quarter)s has been issued: this reversal needs a second "
                "person's approval, so it is not imported; ask for it on the fund's web page",
                quarter=quarter))
        for column, mine, theirs in zip(self.content_columns, self._content(record),
                                        original.content, strict=True):
            if column in ("type", "amount", "project_code") and mine != theirs:
                errors.setdefault(column, []).append(N_(
                    "differs from the entry it reverses: a reversal repeats its %(column)s and "
                    "instrument", column=column) if column == "project_code" else N_(
                    "differs from the entry it reverses: a reversal repeats its %(column)s",
                    column=column))
        self.errors_of(number, errors, raw, values, {})
        if errors:
            return False
        record["reverses_id"] = original.id
        self.reversed.add(original.id)
        return True

    def write_batch(self) -> None:
        """Insert the accepted rows of the chunk so far."""
        if self.batch:
            self.insert(self.batch, self.numbers)
            self.batch, self.numbers = [], []

    def base_record(self, values: dict, fund_id: int) -> dict:
        """The columns every ledger row has, as inserted."""
        return {"fund_id": fund_id, "reference": values["reference"], "type": values["type"],
                self.date_field: values["date"], "amount": values["amount"],
                "note": values["note"] or None, "reverses_id": None,
                "created_at": self.ctx.stamp}

    def prepare(self, rows) -> None:
        """Look up what the chunk's rows name besides funds."""

    def record(self, number: int, values: dict, raw: dict, fund_id: int) -> dict | None:
        """The row as inserted, or None after recording its errors."""
        problems = amount_errors(values["amount"], positive=True)
        for message in problems:
            self.error(number, "amount", raw["amount"], message, values["amount"])
        return None if problems else self.base_record(values, fund_id)

    def accept(self, number: int, values: dict, raw: dict, record: dict) -> bool:
        """Last checks of a new row (with the ledger so far); False after recording errors."""
        return True


class MovementsHandler(LedgerHandler):
    """Capital calls, distributions and fees of funds."""

    kind = "movements"
    model = Movement
    date_field = "moved_on"
    content_fields = ("type", "moved_on", "amount", "investor", "note")
    content_columns = ("type", "date", "amount", "investor", "note")

    def record(self, number, values, raw, fund_id):
        """The movement as inserted, or None after recording its errors."""
        record = super().record(number, values, raw, fund_id)
        if record is not None:
            record["investor"] = values["investor"] or None
        return record


class TransactionsHandler(LedgerHandler):
    """Entries of investment ledgers; a position is opened for a new (fund, project, instrument)."""

    kind = "transactions"
    model = InvestmentTransaction
    date_field = "occurred_on"
    content_fields = ("investment_id", "type", "occurred_on", "amount", "note")
    content_columns = ("project_code", "type", "date", "amount", "note")

    def __init__(self, ctx: Context, result: KindResult):
        super().__init__(ctx, result)
        self.loans: dict[int, dict[tuple[TransactionType, dt.date], Decimal]] = {}

    def prepare(self, rows) -> None:
        """Look up the chunk's projects and positions."""
        lookups = self.lookups
        lookups.load_projects(v["project_code"] for _, v, _ in rows)
        lookups.load_investments(
            (lookups.funds[v["fund_code"]], lookups.projects[v["project_code"]], v["instrument"])
            for _, v, _ in rows
            if lookups.funds.get(v["fund_code"]) and lookups.projects.get(v["project_code"]))

    def record(self, number, values, raw, fund_id):
        """The transaction as inserted (its position may still be unopened: id None)."""
        project_id = self.lookups.projects.get(values["project_code"])
        instrument, amount = values["instrument"], values["amount"]
        problems = type_errors(instrument, values["type"])
        for message in problems:
            self.error(number, "type", raw["type"], message)
        if project_id is None:
            self.error(number, "project_code", raw["project_code"],
                       no_project(values["project_code"]))
        amount_problems = amount_errors(amount, positive=True)
        for message in amount_problems:
            self.error(number, "amount", raw["amount"], message, amount)
        if problems or amount_problems or project_id is None:
            return None
        return {"investment_id": self.lookups.investments.get((fund_id, project_id, instrument)),
                "fund_id": fund_id, "reference": values["reference"], "type": values["type"],
                "occurred_on": values["date"], "amount": amount, "note": values["note"] or None,
                "reverses_id": None, "created_at": self.ctx.stamp}

    def accept(self, number, values, raw, record) -> bool:
        """Open the position if needed; a loan is never repaid beyond what is outstanding."""
        if values["instrument"] is Instrument.LOAN and not record["reverses_id"]:
            entries = self._loan(values, record)
            for message in repayment_errors(values["instrument"], values["type"],
                                            values["amount"], values["date"], entries):
                self.error(number, "amount", raw["amount"], message, values["amount"])
                return False
        if record["investment_id"] is None:
            fund_id = record["fund_id"]
            investment = open_investment(self.session, self.ctx.actor, fund_id,
                                         values["project_code"], values["instrument"])
            key = (fund_id, investment.project_id, values["instrument"])
            record["investment_id"] = self.lookups.investments[key] = investment.id
        if self.loans and (loan := self.loans.get(record["investment_id"])) is not None:
            key = (values["type"], values["date"])
            sign = -1 if record["reverses_id"] else 1
            loan[key] = loan.get(key, Decimal(0)) + sign * values["amount"]
        return True

    def _loan(self, values: dict, record: dict) -> list:
        """The ledger of a loan as (type, date) totals: read once, then kept up to date."""
        investment_id = record["investment_id"]
        if values["instrument"] is not Instrument.LOAN or investment_id is None:
            return []
        if investment_id not in self.loans:
            self.write_batch()
            totals: dict[tuple[TransactionType, dt.date], Decimal] = {}
            table = self.table
            for type_, on, amount, reverses_id in self.session.execute(
                    select(table.c.type, table.c.occurred_on, table.c.amount,
                           table.c.reverses_id).where(table.c.investment_id == investment_id)):
                totals[(type_, on)] = totals.get((type_, on), Decimal(0)) + (
                    -amount if reverses_id else amount)
            self.loans[investment_id] = totals
        return [_Total(t, on, amount) for (t, on), amount in self.loans[investment_id].items()]


@dataclass(frozen=True, slots=True)
class _Total:
    """A loan's entries of one type on one day, summed, shaped as the services read entries."""

    type: TransactionType
    occurred_on: dt.date
    signed_amount: Decimal
