"""The run as the command line and the API print it: decimals as strings."""

from __future__ import annotations

from decimal import Decimal

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


SHEET_HEADERS = ("agreement", "fiscal_year", "version", "kind", "project", "project_name",
                 "indicator", "payer", "payee", "amount", "reason")
"""The columns of the settlement XLSX: one row per line, carried difference, total and net."""


def sheet_rows(run: SettlementRun) -> list[tuple]:
    """The run's lines (LINE), what payers keep (KEPT), carried differences (CARRIED), totals
    per payer → payee (TOTAL) and the net per pair (NET): amounts as exact Decimals (元)."""
    content = content_of(run)
    head = (content["agreement"], run.fiscal_year, run.number)
    rows = [(*head, "LINE", x["project"], x["project_name"], x["indicator"], x["payer"],
             x["payee"], Decimal(x["amount"]), "") for x in content["lines"]]
    rows += [(*head, "KEPT", x["project"], "", x["indicator"], x["payer"], x["payer"],
              Decimal(x["amount"]), "") for x in content["kept"]]
    rows += [(*head, "CARRIED", str(x["fiscal_year"]), "", "", x["payer"], x["payee"],
              Decimal(x["amount"]), x["reason"]) for x in content["carried"]]
    rows += [(*head, kind, "", "", "", x["payer"], x["payee"], Decimal(x["amount"]), "")
             for kind, key in (("TOTAL", "totals"), ("NET", "net")) for x in content[key]]
    return rows
