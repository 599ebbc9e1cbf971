"""The confirmation pages of the quarter's steps that cannot be undone: submitting, the
confirmation that closes the quarter, and reopening (docs/sharing.md). Each says what will
happen, naming the quarter and the parties, and asks once more (app/web/confirm_step.py)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.domain.codes import QuarterState
from app.domain.quarter import Quarter
from app.services.sharing import workflow
from app.web.common import localized_name
from app.web.confirm_step import ask, names_and


def _parties(agreement) -> str:
    return names_and([localized_name(p.region) for p in agreement.parties])


def _back(agreement, quarter: Quarter) -> str:
    return url_for("statements.show", agreement_id=agreement.id, quarter=quarter)


def ask_submit(session, agreement, quarter: Quarter):
    """Before submitting: the parties asked to confirm, and the missing observations."""
    statement, _aq = workflow.statement_of(session, agreement, quarter)
    missing = sum(1 for row in statement.rows if row.is_missing)
    lines = [_("This declares the observations of %(quarter)s of %(agreement)s complete and asks "
               "%(parties)s to confirm the statement.", quarter=quarter,
               agreement=agreement.code, parties=_parties(agreement))]
    if missing:
        lines.append(ngettext("%(num)d observation is still blank: it counts as zero.",
                              "%(num)d observations are still blank: they count as zero.",
                              missing))
    lines.append(_("Until every party has confirmed, changing an observation returns the quarter "
                   "to open and clears the confirmations."))
    return ask(title=_("Submit %(quarter)s of %(agreement)s?", quarter=quarter,
                       agreement=agreement.code),
               lines=lines, warning=None,
               action=url_for("statements.submit_quarter", agreement_id=agreement.id,
                              quarter=quarter),
               fields={}, yes=_("Yes, submit %(quarter)s", quarter=quarter),
               back=_back(agreement, quarter))


def closes(session, agreement, quarter: Quarter, party_code: str, fingerprint: str) -> bool:
    """Whether this party's confirmation would be the last and close the quarter (and so must
    be asked about again); False when the service would refuse it anyway."""
    _statement, aq = workflow.statement_of(session, agreement, quarter)
    if aq is None or aq.state is not QuarterState.SUBMITTED or fingerprint != aq.fingerprint:
        return False
    party = next((p for p in agreement.parties if p.region.code == party_code), None)
    done = {c.party_id for c in aq.confirmations}
    return party is not None and party.id not in done \
        and len(done) + 1 == len(agreement.parties)


def ask_close(agreement, quarter: Quarter, party_code: str, fingerprint: str):
    """Before the confirmation that closes the quarter for every party."""
    party = next(p for p in agreement.parties if p.region.code == party_code)
    count = len(agreement.parties)
    closing = (_("This closes %(quarter)s for both parties: %(parties)s; the statement is then "
                 "frozen.", quarter=quarter, parties=_parties(agreement)) if count == 2 else
               _("This closes %(quarter)s for all %(count)s parties: %(parties)s; the statement "
                 "is then frozen.", quarter=quarter, count=count, parties=_parties(agreement)))
    lines = [_("You confirm the statement of %(quarter)s of %(agreement)s for %(party)s; the other "
               "parties have confirmed already.", quarter=quarter, agreement=agreement.code,
               party=localized_name(party.region)), closing]
    return ask(title=_("Confirm and close %(quarter)s?", quarter=quarter), lines=lines,
               warning=_("A closed quarter is final: a later change of an observation is a "
                         "correction with a reason, shown as an adjustment in the next open "
                         "quarter; only an administrator can reopen it."),
               action=url_for("statements.confirm", agreement_id=agreement.id, quarter=quarter),
               fields={"party": party_code, "fingerprint": fingerprint},
               yes=_("Yes, confirm and close %(quarter)s", quarter=quarter),
               back=_back(agreement, quarter))


def ask_reopen(agreement, quarter: Quarter, reason: str):
    """Before reopening a closed quarter: the confirmations go, a new statement will follow."""
    lines = [_("This reopens %(quarter)s of %(agreement)s for %(parties)s: their confirmations are "
               "cleared and the frozen statement is released.", quarter=quarter,
               agreement=agreement.code, parties=_parties(agreement)),
             _("A new version of the statement will follow once the quarter is submitted and "
               "confirmed again; reports issued meanwhile keep their versions."),
             _("Reason: %(reason)s", reason=reason.strip())]
    return ask(title=_("Reopen %(quarter)s of %(agreement)s?", quarter=quarter,
                       agreement=agreement.code), lines=lines,
               warning=_("%(quarter)s must then be submitted again and confirmed by every "
                         "party.", quarter=quarter),
               action=url_for("statements.reopen", agreement_id=agreement.id, quarter=quarter),
               fields={"reason": reason}, yes=_("Yes, reopen %(quarter)s", quarter=quarter),
               back=_back(agreement, quarter))
