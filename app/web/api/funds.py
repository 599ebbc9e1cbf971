"""API: funds, their LP commitments and their metrics as of a date."""

from __future__ import annotations

import dataclasses

from flask import g, url_for

from app.db import get_session
from app.domain.codes import FundClass, FundStatus, InvestorType
from app.domain.fund_metrics import FundMetrics, to_json_dict
from app.services.access.scopes import get_fund
from app.services.funds import metrics
from app.services.funds import register as fund_service
from app.services.lists import api as listings
from app.web.api.routing import ID, PAGE_QUERY, operation, page_json, page_schema, schema
from app.web.api.spec import REGION_PATTERN, Amount, Choice, Day, Integer, Obj, Text
from app.web.api.values import (
    DATE,
    DECIMAL,
    INTEGER,
    STRING,
    arr,
    code,
    day,
    dec,
    enum_of,
    nullable,
    obj,
)
from app.web.common import today

REGION_CODE = Text(6, pattern=REGION_PATTERN, required=True)
FUND_FIELDS = {
    "code": STRING, "name": STRING, "sponsor_region": STRING, "manager": STRING,
    "fund_class": enum_of(FundClass), "vintage": INTEGER, "currency": STRING,
    "target_size": DECIMAL, "term_start_on": nullable(DATE), "term_end_on": nullable(DATE),
    "status": enum_of(FundStatus), "version": INTEGER, "id": INTEGER}
FUND = schema("Fund", obj(FUND_FIELDS))
COMMITMENT = schema("Commitment", obj({
    "id": INTEGER, "investor": STRING, "investor_type": enum_of(InvestorType),
    "committed_on": DATE, "amount": DECIMAL, "version": INTEGER}))
FUND_DETAIL = schema("FundDetail", obj({**FUND_FIELDS, "commitments": arr(COMMITMENT)}))
_RATIO = nullable(DECIMAL)
METRICS = schema("FundMetrics", obj({
    "fund_id": INTEGER, "as_of": DATE,
    **{f.name: DECIMAL if f.type == "Decimal" else _RATIO
       for f in dataclasses.fields(FundMetrics) if f.name != "investments"},
    "investments": {"type": "object", "additionalProperties": obj({
        "cost": DECIMAL, "value": DECIMAL, "moic": _RATIO, "irr": _RATIO})}}))

FUND_INPUT = Obj({
    "code": Text(32, required=True), "name": Text(200, required=True),
    "sponsor_region": REGION_CODE, "manager": Text(200, required=True),
    "fund_class": Choice(FundClass, required=True),
    "vintage": Integer(1990, 2100, required=True), "target_size": Amount(required=True),
    "term_start_on": Day(nullable=True), "term_end_on": Day(nullable=True),
    "status": Choice(FundStatus, default=FundStatus.INVESTING)})
COMMITMENT_INPUT = Obj({
    "investor": Text(200, required=True), "investor_type": Choice(InvestorType, required=True),
    "committed_on": Day(required=True), "amount": Amount(required=True)})


def fund_json(fund) -> dict:
    """A fund's register entry (amounts in yuan, as strings)."""
    return {"id": fund.id, "code": fund.code, "name": fund.name,
            "sponsor_region": fund.sponsor_region.code, "manager": fund.manager,
            "fund_class": code(fund.fund_class), "vintage": fund.vintage,
            "currency": fund.currency, "target_size": dec(fund.target_size),
            "term_start_on": day(fund.term_start_on), "term_end_on": day(fund.term_end_on),
            "status": code(fund.status), "version": fund.version}


def commitment_json(c) -> dict:
    """An LP commitment (yuan)."""
    return {"id": c.id, "investor": c.investor, "investor_type": code(c.investor_type),
            "committed_on": day(c.committed_on), "amount": dec(c.amount), "version": c.version}


@operation("/funds", summary="Funds in your scope, by code", tag="funds",
           response=page_schema("FundPage", FUND),
           query={"code": Text(32, default=None, description="exactly this code"),
                  "sponsor_region": Text(6, pattern=REGION_PATTERN, default=None,
                                         description="sponsored within this region"),
                  "status": Choice(FundStatus, default=None),
                  "fund_class": Choice(FundClass, default=None), **PAGE_QUERY})
def list_funds(args):
    """The funds the token's user may read."""
    page = listings.list_funds(get_session(), g.actor, **args)
    return page_json(page, fund_json)


@operation("/funds", "POST", summary="Register a fund", tag="funds", response=FUND_DETAIL,
           status=201, body=("FundInput", FUND_INPUT))
def create_fund(data):
    """Register a fund (administrators and fund managers; a manager is assigned to it)."""
    fund = fund_service.create_fund(get_session(), g.actor, fund_service.FundData(
        code=data["code"], name=data["name"], sponsor_region=data["sponsor_region"],
        manager=data["manager"], fund_class=data["fund_class"], vintage=data["vintage"],
        target_size=data["target_size"], term_start_on=data["term_start_on"],
        term_end_on=data["term_end_on"], status=data["status"]))
    return fund_detail_json(fund), {"Location": url_for("api.get_fund_detail", fund_id=fund.id)}


def fund_detail_json(fund) -> dict:
    """A fund with its LP commitments."""
    return {**fund_json(fund), "commitments": [commitment_json(c) for c in fund.commitments]}


@operation(f"/funds/<{ID}:fund_id>", summary="A fund with its LP commitments", tag="funds",
           response=FUND_DETAIL)
def get_fund_detail(fund_id: int):
    """A fund in scope, else 404."""
    return fund_detail_json(get_fund(get_session(), g.actor, fund_id))


@operation(f"/funds/<{ID}:fund_id>/commitments", "POST", summary="Record an LP commitment",
           tag="funds", response=COMMITMENT, status=201,
           body=("CommitmentInput", COMMITMENT_INPUT))
def add_commitment(fund_id: int, data):
    """An LP's commitment to a fund the token's user may edit."""
    commitment = fund_service.add_commitment(get_session(), g.actor, fund_id,
                                             fund_service.CommitmentData(**data))
    return commitment_json(commitment)


@operation(f"/funds/<{ID}:fund_id>/metrics", summary="A fund's metrics as of a date",
           tag="funds", response=METRICS,
           query={"as_of": Day(default=None, description="a date; today if omitted")})
def fund_metrics(fund_id: int, args):
    """The metrics of funds.md: amounts in yuan; ratios and IRRs to ten decimal places."""
    db = get_session()
    fund = get_fund(db, g.actor, fund_id)
    as_of = args["as_of"] or today()
    result = to_json_dict(metrics.fund_metrics(db, g.actor, fund.code, as_of))
    return {"fund_id": fund.id, "as_of": day(as_of), **result}
