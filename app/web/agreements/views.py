"""Views of agreements: list, draft, rules, covered projects, activation."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import AgreementStatus, SharingMode
from app.domain.quarter import Quarter
from app.domain.sharing.words import describe_rule
from app.services.errors import ValidationFailed
from app.services.lists import web as list_pages
from app.services.reference import lookups as reference
from app.services.sharing import agreements, coverage, deadlines, lock_exceptions
from app.services.sharing.statements import first_quarter, quarter_states
from app.web import lists
from app.web.agreements.forms import (
    MAX_TIERS,
    CoveredForm,
    SimpleActionForm,
    SimulateForm,
    agreement_form_class,
    rule_error_field,
    rule_form_class,
)
from app.web.common import (
    actor,
    attach_errors,
    coded_label,
    local_today,
    localized_name,
    require_sign_in,
    status_of,
    submit,
    today,
)
from app.web.deadlines.forms import RevokeForm

bp = Blueprint("agreements", __name__, url_prefix="/agreements")
bp.before_request(require_sign_in)


def rule_words(agreement, language: str) -> dict[str, str]:
    """Each rule of the agreement in words, by indicator code."""
    parties = agreements.domain_parties(agreement)
    names = {p.region.code: p.region.name if language == "zh" else (p.region.name_en or
                                                                     p.region.name)
             for p in agreement.parties}
    return {r.indicator_code: describe_rule(agreements.domain_rule(r), parties, names,
                                            r.indicator.unit, language)
            for r in agreement.rules}


@bp.route("/")
def index():
    """A page of the agreements in the user's scope, filtered and sorted as the URL says."""
    db = get_session()
    state = lists.ListState("agreements.index",
                            lists.read_args("q", "status", "party_region"), "code")
    status = lists.parse_choice(state, "status", AgreementStatus)
    fetch = lambda **paging: list_pages.agreements_page(db, actor(), **paging)  # noqa: E731
    filters = {"search": state.value("q"), "status": status,
               "party_region": state.value("party_region")}
    if lists.export_format():
        exported = lists.export(state, fetch, "agreements", [
            (_("Code"), lambda a: a.code), (_("Title"), lambda a: a.title),
            (_("Parties"), lambda a: "; ".join(f"{localized_name(p.region)} · "
                                               f"{coded_label(p.role)}" for p in a.parties)),
            (_("Basis"), lambda a: a.basis_document or ""),
            (_("Status"), lambda a: coded_label(a.status))], **filters)
        if exported is not None:
            return exported
    lists.load(state, fetch, {"party_region": "region"}, **filters)
    return render_template("agreements/index.html", state=state,
                           statuses=lists.choices(AgreementStatus)), state.status


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Draft an agreement."""
    db = get_session()
    form = agreement_form_class()()
    done = submit(form, lambda: agreements.create_agreement(db, actor(), form.to_data()),
                  lambda a: url_for("agreements.show", agreement_id=a.id),
                  _("Agreement drafted."))
    return done or (render_template("agreements/new.html", form=form), status_of(form))


@bp.route("/<int:agreement_id>")
def show(agreement_id: int):
    """An agreement: parties, rules in words, covered projects and its quarters."""
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id)
    start = first_quarter(agreement)
    states = quarter_states(db, agreement.id)
    current = Quarter.containing(today())
    quarters = []
    if start is not None and agreement.status is not AgreementStatus.DRAFT:
        q = start
        while q <= current:
            quarters.append((q, states.get(q)))
            q = q + 1
    can_edit = actor().is_admin or any(agreements.party_in_scope(actor(), p)
                                       for p in agreement.parties)
    indicators = reference.indicators(db)
    local = local_today()
    standings = deadlines.standings(db, agreement, [q for q, _aq in quarters], states, local)
    settings = deadlines.cycle_settings(db)
    return render_template(
        "agreements/show.html", agreement=agreement, quarters=list(reversed(quarters)),
        standings=standings, days=deadlines.days_of(settings, agreement), settings=settings,
        exceptions=lock_exceptions.exceptions_of(db, agreement.id) if quarters else [],
        local_today=local, revoke_form=RevokeForm(),
        words=rule_words(agreement, "zh" if actor().locale == "zh" else "en"),
        can_edit=can_edit, indicators=indicators, action_form=SimpleActionForm(
            version=agreement.version))


@bp.route("/<int:agreement_id>/projects", methods=["GET", "POST"])
def covered(agreement_id: int):
    """Set the covered projects of a draft."""
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id, for_edit=True)
    form = CoveredForm(
        projects="\n".join(c.project.code for c in agreement.covered if c.via_park_id is None),
        parks="\n".join(c.park.code for c in agreement.covered_parks))

    def save():
        agreements.set_covered_projects(db, actor(), agreement_id,
                                        (form.projects.data or "").split())
        return coverage.set_covered_parks(db, actor(), agreement_id,
                                          (form.parks.data or "").split())

    done = submit(form, save, lambda _a: url_for("agreements.show", agreement_id=agreement_id),
                  _("Covered projects saved."))
    return done or (render_template("agreements/covered.html", form=form, agreement=agreement),
                    status_of(form))


@bp.route("/<int:agreement_id>/rules/<indicator>", methods=["GET", "POST"])
def rule(agreement_id: int, indicator: str):
    """Create or change the rule of one indicator (drafts only)."""
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id, for_edit=True)
    definition = reference.indicator_by_code(db, indicator)
    parties = sorted(agreement.parties, key=lambda p: p.priority)
    existing = next((r for r in agreement.rules if r.indicator_code == indicator), None)
    form = rule_form_class(parties)(data=_rule_data(existing) if existing else {
        "mode": SharingMode.SPLIT})
    form.baseline_owner.choices = [("", "—")] + [(p.region.code, p.region.name) for p in parties]
    filled = [t for t in range(MAX_TIERS) if getattr(form, f"t{t}_first").data is not None]

    def save():
        try:
            return agreements.set_rule(db, actor(), agreement_id, form.to_data(indicator))
        except ValidationFailed as exc:
            raise ValidationFailed({rule_error_field(k, filled): v
                                    for k, v in exc.errors.items()}) from exc

    done = submit(form, save, lambda _r: url_for("agreements.show", agreement_id=agreement_id),
                  _("Rule saved."))
    return done or (render_template("agreements/rule.html", form=form, agreement=agreement,
                                    parties=parties, indicator=definition,
                                    tiers=range(MAX_TIERS)), status_of(form))


def _rule_data(rule) -> dict:
    data = {"mode": rule.mode, "as_percent": rule.as_percent, "baseline": rule.baseline,
            "baseline_owner": rule.baseline_owner.region.code if rule.baseline_owner else ""}
    for t, tier in enumerate(rule.tiers[:MAX_TIERS]):
        data[f"t{t}_first"] = tier.first_quarter
        data[f"t{t}_last"] = tier.last_quarter
        for w in tier.weights:
            data[f"t{t}_w_{w.party.region.code}"] = w.weight
    for cap in rule.caps:
        data[f"cap_{cap.party.region.code}"] = cap.amount
        data[f"cap_scope_{cap.party.region.code}"] = cap.scope
    return data


@bp.route("/<int:agreement_id>/activate", methods=["POST"])
def activate(agreement_id: int):
    """Sign a draft: its parties, rules and covered projects are fixed from now on."""
    db = get_session()
    form = SimpleActionForm()
    done = submit(
        form, lambda: agreements.activate(db, actor(), agreement_id, int(form.version.data or 0)),
        lambda _a: url_for("agreements.show", agreement_id=agreement_id),
        _("Agreement signed and active."))
    if done:
        return done
    agreement = agreements.get_agreement(db, actor(), agreement_id)
    attach_errors(form, {})
    return render_template("agreements/problem.html", agreement=agreement, form=form), 422


@bp.route("/<int:agreement_id>/simulate", methods=["GET", "POST"])
def simulate(agreement_id: int):
    """Try a rule on past or invented figures; nothing is stored."""
    db = get_session()
    agreement = agreements.get_agreement(db, actor(), agreement_id)
    form = SimulateForm()
    form.indicator.choices = [(r.indicator_code, r.indicator.name) for r in agreement.rules]
    result = None
    if form.validate_on_submit():
        try:
            result = agreements.simulate_rule(db, actor(), agreement_id, form.indicator.data,
                                              form.parsed())
        except ValidationFailed as exc:
            attach_errors(form, {"figures" if k == "observations" else k: v
                                 for k, v in exc.errors.items()})
    return render_template("agreements/simulate.html", agreement=agreement, form=form,
                           result=result, words=rule_words(agreement, actor().locale)), \
        status_of(form)
