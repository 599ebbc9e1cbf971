"""Views of the fund pages: parse, call a service, render or redirect."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.db import get_session
from app.domain.codes import FundClass, FundStatus, Role
from app.domain.money import format_percent, format_ratio, round_half_up
from app.domain.quarter import Quarter
from app.models import Investment
from app.services import screening
from app.services.access.scopes import can_edit_fund, get_fund, require_role
from app.services.errors import NotFound
from app.services.funds import investments, metrics, reversals
from app.services.funds import register as funds
from app.services.funds.flows import fund_flows
from app.services.funds.projects import list_projects
from app.services.lists import web as list_pages
from app.web import lists
from app.web.charts import deployment_table, line_chart
from app.web.common import (
    actor,
    coded_label,
    localized_name,
    quarter_arg,
    require_sign_in,
    status_of,
    submit,
    today,
)
from app.web.flow_chart import flow_chart, flow_table
from app.web.funds.forms import (
    CommitmentForm,
    FundForm,
    InvestmentForm,
    MovementForm,
)
from app.web.funds.reversals import reverse_page

bp = Blueprint("funds", __name__, url_prefix="/funds")
bp.before_request(require_sign_in)

TEN_THOUSAND = 10_000
FUND_FILTERS = ("q", "sponsor_region", "status", "fund_class")


@bp.route("/")
def index():
    """A page of the funds in the user's scope (filtered, sorted), with the key figures of the
    page's funds as of the quarter end."""
    quarter = quarter_arg()
    db = get_session()
    state = lists.ListState("funds.index", lists.read_args(*FUND_FILTERS, "quarter"), "code")
    status = lists.parse_choice(state, "status", FundStatus)
    fund_class = lists.parse_choice(state, "fund_class", FundClass)
    fetch = lambda **paging: list_pages.funds_page(db, actor(), **paging)  # noqa: E731
    filters = {"search": state.value("q"), "sponsor_region": state.value("sponsor_region"),
               "status": status, "fund_class": fund_class}
    if lists.export_format():
        exported = lists.export(state, fetch, "funds", fund_columns(),
                                prepare=lambda rows: _with_figures(db, rows, quarter), **filters)
        if exported is not None:
            return exported
    lists.load(state, fetch, {"sponsor_region": "region"}, **filters)
    # A fund's link names the quarter only when it is not the dashboard's default (the current).
    link_quarter = None if quarter == Quarter.containing(today()) else str(quarter)
    return render_template("funds/index.html", state=state, quarter=quarter,
                           link_quarter=link_quarter,
                           rows=_with_figures(db, state.rows, quarter),
                           statuses=lists.choices(FundStatus),
                           classes=lists.choices(FundClass)), state.status


def _with_figures(db, funds: list, quarter: Quarter) -> list:
    """Each fund with its key figures as of the quarter's end."""
    figures = list_pages.fund_figures(db, funds, quarter.last_day)
    return [(f, figures[f.id]) for f in funds]


def fund_columns() -> list:
    """The columns of the funds list's export, as the page shows them (amounts in yuan)."""
    def rounded(value):
        return None if value is None else round_half_up(value, 2)
    return [
        (_("Code"), lambda r: r[0].code), (_("Name"), lambda r: r[0].name),
        (_("Sponsor"), lambda r: localized_name(r[0].sponsor_region)),
        (_("Status"), lambda r: coded_label(r[0].status)),
        (_("Class"), lambda r: coded_label(r[0].fund_class)),
        (_("Committed (yuan)"), lambda r: rounded(r[1].committed)),
        (_("Paid-in (yuan)"), lambda r: rounded(r[1].paid_in)),
        (_("Disbursed (yuan)"), lambda r: rounded(r[1].disbursed)),
        (_("Deployment"), lambda r: format_percent(r[1].deployment_rate)),
        (_("NAV (yuan)"), lambda r: rounded(r[1].nav)),
        (_("TVPI"), lambda r: format_ratio(r[1].tvpi)),
        (_("Net IRR"), lambda r: format_percent(r[1].net_irr))]


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Register a fund (fund managers and administrators)."""
    require_role(actor(), Role.ADMIN, Role.FUND_MANAGER)
    db = get_session()
    form = FundForm()
    done = submit(form, lambda: funds.create_fund(db, actor(), form.to_data()),
                  lambda fund: url_for("funds.show", fund_id=fund.id), _("Fund registered."))
    return done or (render_template("funds/form.html", form=form, fund=None), status_of(form))


@bp.route("/<int:fund_id>/edit", methods=["GET", "POST"])
def edit(fund_id: int):
    """Change a fund's register entry (optimistic locking on its version)."""
    db = get_session()
    fund = get_fund(db, actor(), fund_id, for_edit=True)
    form = FundForm.for_fund(fund)
    done = submit(
        form,
        lambda: funds.update_fund(db, actor(), fund_id, int(form.version.data or 0),
                                  form.to_data()),
        lambda f: url_for("funds.show", fund_id=f.id), _("Fund saved."))
    return done or (render_template("funds/form.html", form=form, fund=fund), status_of(form))


@bp.route("/<int:fund_id>")
def show(fund_id: int):
    """The fund dashboard as of a quarter end: metrics, chart, schedule, flags, ledgers."""
    db = get_session()
    quarter = quarter_arg()
    board = metrics.fund_dashboard(
        db, actor(), fund_id, quarter,
        holdings_shown=None if request.args.get("holdings") == "all" else metrics.HOLDINGS_SHOWN)
    labels = [str(q) for q, _m in board.series]
    chart = line_chart(labels, [
        (_("Committed"), [m.committed for _q, m in board.series]),
        (_("Paid-in"), [m.paid_in for _q, m in board.series]),
        (_("Disbursed"), [m.disbursed for _q, m in board.series]),
    ], unit_label=_("10,000 yuan (万元)"), divisor=TEN_THOUSAND,
        title=_("Deployment over the quarters"), x_label=_("Quarter (figures at its end)"))
    fund = board.fund
    flows = fund_flows(db, fund)
    return render_template(
        "funds/show.html", board=board, fund=fund, chart=chart,
        holdings=board.holdings,
        deployment_table=deployment_table(board.series),
        flows_svg=flow_chart(flows, _("Where the fund's projects moved from and to")),
        flows_table=flow_table(flows),
        can_edit=can_edit_fund(actor(), fund.id),
        managers=funds.fund_managers(db, fund.id), quarter=quarter,
        pending_reversals=reversals.pending_entry_ids(db, fund.id),
        catalogue_counts=screening.flag_counts(db, select(Investment.project_id).where(
            Investment.fund_id == fund.id).distinct()))


@bp.route("/<int:fund_id>/commitments/new", methods=["GET", "POST"])
def new_commitment(fund_id: int):
    """Record an LP commitment."""
    db = get_session()
    fund = get_fund(db, actor(), fund_id, for_edit=True)
    form = CommitmentForm()
    done = submit(form, lambda: funds.add_commitment(db, actor(), fund_id, form.to_data()),
                  lambda _c: url_for("funds.show", fund_id=fund_id), _("Commitment recorded."))
    return done or (render_template("funds/entry.html", form=form, fund=fund,
                                    title=_("New LP commitment")), status_of(form))


@bp.route("/<int:fund_id>/movements/new", methods=["GET", "POST"])
def new_movement(fund_id: int):
    """Record a capital call, distribution or fee."""
    db = get_session()
    fund = get_fund(db, actor(), fund_id, for_edit=True)
    form = MovementForm()
    done = submit(form, lambda: funds.record_movement(db, actor(), fund_id, form.to_data()),
                  lambda _m: url_for("funds.show", fund_id=fund_id) + "#movements",
                  _("Movement recorded."))
    return done or (render_template("funds/entry.html", form=form, fund=fund,
                                    title=_("New capital movement")), status_of(form))


@bp.route("/<int:fund_id>/movements/<int:movement_id>/reverse", methods=["GET", "POST"])
def reverse_movement(fund_id: int, movement_id: int):
    """Reverse a movement with a new, opposite entry that names it (or ask for approval)."""
    db = get_session()
    fund = get_fund(db, actor(), fund_id, for_edit=True)
    movement = next((m for m in fund.movements if m.id == movement_id), None)
    if movement is None:
        raise NotFound(f"movement {movement_id}")
    return reverse_page("movement", fund, movement,
                        url_for("funds.show", fund_id=fund_id) + "#movements")


@bp.route("/<int:fund_id>/investments/new", methods=["GET", "POST"])
def new_investment(fund_id: int):
    """Open a position in a project."""
    db = get_session()
    fund = get_fund(db, actor(), fund_id, for_edit=True)
    form = InvestmentForm()
    form.project.choices = [(p.code, f"{p.code} {p.name}") for p in list_projects(db, actor())]
    done = submit(
        form,
        lambda: investments.open_investment(db, actor(), fund_id, form.project.data,
                                            form.instrument.data),
        lambda inv: url_for("investments.show", investment_id=inv.id), _("Investment opened."))
    return done or (render_template("funds/entry.html", form=form, fund=fund,
                                    title=_("New investment")), status_of(form))
