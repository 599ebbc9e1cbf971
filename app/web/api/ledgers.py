"""API: fund movements, investments, their transactions and valuations (yuan, as strings)."""

from __future__ import annotations

from flask import g, url_for

from app.db import get_session
from app.domain.codes import Instrument, MovementType, TransactionType
from app.services.access.scopes import get_fund
from app.services.errors import NotFound
from app.services.funds import investments as investment_service
from app.services.funds import register as fund_service
from app.services.lists import api as listings
from app.web.api.routing import (
    ID,
    PAGE_QUERY,
    fields_renamed,
    operation,
    page_json,
    page_schema,
    schema,
)
from app.web.api.spec import Amount, Choice, Day, Integer, Obj, Text
from app.web.api.values import (
    DATE,
    DATETIME,
    DECIMAL,
    INTEGER,
    STRING,
    arr,
    code,
    day,
    dec,
    enum_of,
    moment,
    nullable,
    obj,
)

MOVEMENT = schema("Movement", obj({
    "id": INTEGER, "fund_id": INTEGER, "reference": STRING, "type": enum_of(MovementType),
    "moved_on": DATE, "amount": DECIMAL, "signed_amount": DECIMAL,
    "investor": nullable(STRING), "note": nullable(STRING), "reverses_id": nullable(INTEGER),
    "created_at": DATETIME}))
TRANSACTION = schema("Transaction", obj({
    "id": INTEGER, "investment_id": INTEGER, "reference": STRING,
    "type": enum_of(TransactionType), "occurred_on": DATE, "amount": DECIMAL,
    "signed_amount": DECIMAL, "note": nullable(STRING), "reverses_id": nullable(INTEGER),
    "created_at": DATETIME}))
VALUATION = schema("Valuation", obj({
    "id": INTEGER, "investment_id": INTEGER, "as_of_on": DATE, "value": DECIMAL,
    "note": nullable(STRING), "version": INTEGER}))
INVESTMENT_FIELDS = {"id": INTEGER, "fund_id": INTEGER, "project_id": INTEGER,
                     "project": STRING, "instrument": enum_of(Instrument)}
INVESTMENT = schema("Investment", obj(INVESTMENT_FIELDS))
INVESTMENT_DETAIL = schema("InvestmentDetail", obj({
    **INVESTMENT_FIELDS, "transactions": arr(TRANSACTION), "valuations": arr(VALUATION)}))

MOVEMENT_INPUT = Obj({
    "type": Choice(MovementType, required=True), "moved_on": Day(required=True),
    "amount": Amount(required=True), "reference": Text(64, description="blank: generated"),
    "investor": Text(200), "note": Text(500)})
REVERSAL_INPUT = Obj({"reversed_on": Day(required=True), "note": Text(500, required=True)})
_REVERSAL_FIELDS = {"date": "reversed_on", "reverses": "reversed_on"}
INVESTMENT_INPUT = Obj({"project": Text(32, required=True),
                        "instrument": Choice(Instrument, required=True)})
TRANSACTION_INPUT = Obj({
    "type": Choice(TransactionType, required=True), "occurred_on": Day(required=True),
    "amount": Amount(required=True), "reference": Text(64, description="blank: generated"),
    "note": Text(500)})
VALUATION_INPUT = Obj({
    "as_of_on": Day(required=True), "value": Amount(required=True), "note": Text(500),
    "version": Integer(1, description="the version read, when replacing a valuation",
                       nullable=True)})


def movement_json(m) -> dict:
    """A movement; ``signed_amount`` is negative for a reversing entry."""
    return {"id": m.id, "fund_id": m.fund_id, "reference": m.reference, "type": code(m.type),
            "moved_on": day(m.moved_on), "amount": dec(m.amount),
            "signed_amount": dec(m.signed_amount), "investor": m.investor, "note": m.note,
            "reverses_id": m.reverses_id, "created_at": moment(m.created_at)}


def transaction_json(t) -> dict:
    """A ledger entry of an investment; ``signed_amount`` is negative for a reversal."""
    return {"id": t.id, "investment_id": t.investment_id, "reference": t.reference,
            "type": code(t.type), "occurred_on": day(t.occurred_on), "amount": dec(t.amount),
            "signed_amount": dec(t.signed_amount), "note": t.note,
            "reverses_id": t.reverses_id, "created_at": moment(t.created_at)}


def valuation_json(v) -> dict:
    """A fair-value mark (yuan)."""
    return {"id": v.id, "investment_id": v.investment_id, "as_of_on": day(v.as_of_on),
            "value": dec(v.value), "note": v.note, "version": v.version}


def investment_json(i) -> dict:
    """A position of a fund in a project with an instrument."""
    return {"id": i.id, "fund_id": i.fund_id, "project_id": i.project_id,
            "project": i.project.code, "instrument": code(i.instrument)}


@operation(f"/funds/<{ID}:fund_id>/movements", summary="A fund's capital movements",
           tag="ledgers", response=page_schema("MovementPage", MOVEMENT),
           query={"type": Choice(MovementType, default=None), "since": Day(default=None),
                  "until": Day(default=None), **PAGE_QUERY})
def list_movements(fund_id: int, args):
    """Calls, distributions and fees in the order they were recorded."""
    page = listings.list_movements(get_session(), g.actor, fund_id, **args)
    return page_json(page, movement_json)


@operation(f"/funds/<{ID}:fund_id>/movements", "POST", summary="Record a capital movement",
           tag="ledgers", response=MOVEMENT, status=201, body=("MovementInput", MOVEMENT_INPUT))
def record_movement(fund_id: int, data):
    """Append a call, distribution or fee (a blank reference is generated)."""
    movement = fund_service.record_movement(get_session(), g.actor, fund_id,
                                            fund_service.MovementData(**data))
    return movement_json(movement)


@operation(f"/funds/<{ID}:fund_id>/movements/<{ID}:movement_id>/reversal", "POST",
           summary="Reverse a movement", tag="ledgers", response=MOVEMENT, status=201,
           body=("ReversalInput", REVERSAL_INPUT))
def reverse_movement(fund_id: int, movement_id: int, data):
    """Undo a movement by appending its reversal, dated and explained; 422 (``reversed_on``)
    when it would restate an issued fund report: that needs a second person's approval on the
    web page (four eyes), so the API files nothing."""
    db = get_session()
    fund = get_fund(db, g.actor, fund_id, for_edit=True)
    if not any(m.id == movement_id for m in fund.movements):
        raise NotFound(f"movement {movement_id}")
    with fields_renamed(_REVERSAL_FIELDS):
        return movement_json(fund_service.reverse_movement(db, g.actor, movement_id,
                                                           data["reversed_on"], data["note"]))


@operation(f"/funds/<{ID}:fund_id>/investments", summary="A fund's investments",
           tag="ledgers", response=page_schema("InvestmentPage", INVESTMENT), query=PAGE_QUERY)
def list_investments(fund_id: int, args):
    """The fund's positions, by id."""
    page = listings.list_investments(get_session(), g.actor, fund_id, **args)
    return page_json(page, investment_json)


@operation(f"/funds/<{ID}:fund_id>/investments", "POST", summary="Open an investment",
           tag="ledgers", response=INVESTMENT_DETAIL, status=201,
           body=("InvestmentInput", INVESTMENT_INPUT))
def open_investment(fund_id: int, data):
    """Open (or return the existing) position in a project you can see."""
    investment = investment_service.open_investment(get_session(), g.actor, fund_id,
                                                    data["project"], data["instrument"])
    return investment_detail_json(investment), {
        "Location": url_for("api.get_investment", investment_id=investment.id)}


def investment_detail_json(i) -> dict:
    """An investment with its ledger and valuations."""
    return {**investment_json(i), "transactions": [transaction_json(t) for t in i.transactions],
            "valuations": [valuation_json(v) for v in i.valuations]}


@operation(f"/investments/<{ID}:investment_id>", summary="An investment with its ledger",
           tag="ledgers", response=INVESTMENT_DETAIL)
def get_investment(investment_id: int):
    """An investment whose fund is in scope, else 404."""
    return investment_detail_json(
        investment_service.get_investment(get_session(), g.actor, investment_id))


@operation(f"/investments/<{ID}:investment_id>/transactions", "POST",
           summary="Record an investment transaction", tag="ledgers", response=TRANSACTION,
           status=201, body=("TransactionInput", TRANSACTION_INPUT))
def record_transaction(investment_id: int, data):
    """Append a ledger entry, checked against the instrument."""
    entry = investment_service.record_transaction(
        get_session(), g.actor, investment_id, investment_service.TransactionData(**data))
    return transaction_json(entry)


@operation(f"/investments/<{ID}:investment_id>/transactions/<{ID}:transaction_id>/reversal",
           "POST", summary="Reverse a transaction", tag="ledgers", response=TRANSACTION,
           status=201, body=("ReversalInput", REVERSAL_INPUT))
def reverse_transaction(investment_id: int, transaction_id: int, data):
    """Undo a ledger entry by appending its reversal, dated and explained; 422
    (``reversed_on``) when it would restate an issued fund report (approval on the web)."""
    db = get_session()
    investment = investment_service.get_investment(db, g.actor, investment_id, for_edit=True)
    if not any(t.id == transaction_id for t in investment.transactions):
        raise NotFound(f"transaction {transaction_id}")
    with fields_renamed(_REVERSAL_FIELDS):
        return transaction_json(investment_service.reverse_transaction(
            db, g.actor, transaction_id, data["reversed_on"], data["note"]))


@operation(f"/investments/<{ID}:investment_id>/valuations", "POST",
           summary="Mark an equity holding to fair value", tag="ledgers", response=VALUATION,
           status=201, body=("ValuationInput", VALUATION_INPUT))
def record_valuation(investment_id: int, data):
    """A valuation as of a date; a second one for the same date replaces the first."""
    valuation = investment_service.record_valuation(
        get_session(), g.actor, investment_id, data["as_of_on"], data["value"], data["note"],
        data["version"])
    return valuation_json(valuation)
