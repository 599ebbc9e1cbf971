"""The run as the command line and the API print it: decimals as strings."""

from __future__ import annotations

from app.models import Agreement, SettlementRun
from app.services.settlement.runs import content_of


def cli_json(run: SettlementRun, agreement: Agreement | None = None) -> dict:
    """``{"agreement", "fiscal_year", "version", "fingerprint", "lines", "carried", "net"}``:
    every amount is decimal text in 元, exactly as the run holds it."""
    content = content_of(run)
    return {
        "agreement": content["agreement"], "fiscal_year": run.fiscal_year,
        "version": run.number, "fingerprint": run.fingerprint,
        "lines": [{"project": x["project"], "indicator": x["indicator"], "payer": x["payer"],
                   "payee": x["payee"], "amount": x["amount"]} for x in content["lines"]],
        "carried": [{"payer": x["payer"], "payee": x["payee"], "amount": x["amount"],
                     "reason": x["reason"]} for x in content["carried"]],
        "net": [{"payer": x["payer"], "payee": x["payee"], "amount": x["amount"]}
                for x in content["net"]],
    }
