"""The three quarterly reports of reports.md, the yearly settlement schedule of settlement.md
and the zones' annual summary (parks.md), each a module with the same interface:
``subject(session, actor, code)`` (NotFound out of scope), ``check_issuer(...)``,
``collect(session, subject, quarter) -> dict`` (every figure shown, plain values) and
``build(data, issue) -> reports.Document`` (from the data alone, so the same data gives the same
bytes), plus ``SECTIONS``: the names of the data's top-level keys in restatements."""

from app.services.reporting.builders import fund, region, settlement, statement, zone

BUILDERS = {"fund": fund, "statement": statement, "region": region, "settlement": settlement,
            "zone": zone}
KIND_LABELS = {"fund": "基金季度报告 / Fund report", "statement": "分享结算单 / Sharing statement",
               "region": "地区季度报告 / Regional report",
               "settlement": "年度结算表 / Settlement schedule",
               "zone": "示范区年度总结 / Zone annual summary"}

__all__ = ["BUILDERS", "KIND_LABELS"]
