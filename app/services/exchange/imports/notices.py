"""Settlement notices (结算通知) imported from a file, one row at a time through the very rules
of recording one on the page (``app.services.settlement.notices.record_notice``): the run of the
year confirmed by both parties, a pair that owes something in its net, an amount that is not
negative, a notice number not recorded before (per issuing level, in the database or earlier in
the file), a reason when booked differs from due. Any refused row is named and, the import being
all or nothing, no notice of the file is written. Amounts in 元, exact to the fen.

A notice is never updated: a row whose number is already recorded is an error even when it
repeats the recorded notice (a notice books money once; see decisions.md)."""

from __future__ import annotations

from app.domain.messages import N_
from app.services.errors import NotFound
from app.services.exchange.imports.registers import RegisterHandler
from app.services.settlement.notices import NoticeData, record_notice
from app.services.settlement.runs import agreement_by_code


def no_agreement(code: str) -> str:
    """The message for an agreement code the actor may not book (or that does not exist)."""
    return N_('no agreement you can book has the code "%(code)s"', code=code)


class NoticesHandler(RegisterHandler):
    """Settlement notices, keyed by (issuing level, notice number)."""

    kind = "notices"
    key_column = "notice_number"
    fields = {"number": "notice_number", "issued_on": "date",  # noqa: RUF012
              "payer": "payer_region", "payee": "payee_region", "agreement": "agreement_code"}

    def key(self, values):
        """The issuing level and the notice number (unique together)."""
        return values["level"], values["notice_number"]

    def write(self, number, values, raw):
        """Record the notice (ValidationFailed names the field, mapped to its column)."""
        try:
            agreement = agreement_by_code(self.session, self.ctx.actor, values["agreement_code"])
            record_notice(self.session, self.ctx.actor, agreement.id, values["fiscal_year"],
                          NoticeData(level=values["level"].value, number=values["notice_number"],
                                     issued_on=values["date"].isoformat(),
                                     payer=values["payer_region"], payee=values["payee_region"],
                                     amount=f"{values['amount']:f}",
                                     reason=values["reason"].value if values["reason"] else ""))
        except NotFound:
            self.error(number, "agreement_code", raw["agreement_code"],
                       no_agreement(values["agreement_code"]))
            return
        self.result.added += 1
