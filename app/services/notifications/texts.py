"""What each kind of notification says, rendered when it is shown or sent, in the reader's
language (the catalogue of app/translations; English msgids need none).

A notification stores its kind and params (plain strings); the subject and body templates live
here, keyed by kind, so a text corrected or translated later reads right in old items too."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from app.domain.messages import N_

TRANSLATIONS = Path(__file__).resolve().parents[2] / "translations"


@dataclass(frozen=True)
class Kind:
    """A kind of event: its name in lists, the subject and the body of its message."""

    label: str
    subject: str
    body: str


KINDS: dict[str, Kind] = {
    "quarter_submitted": Kind(
        N_("Quarter submitted"), N_("%(agreement)s %(quarter)s was submitted"),
        N_("%(actor)s submitted %(quarter)s of agreement %(agreement)s (%(title)s). Check the "
           "statement and confirm your side.")),
    "quarter_confirmed": Kind(
        N_("Quarter confirmed"), N_("%(party)s confirmed %(agreement)s %(quarter)s"),
        N_("%(actor)s confirmed the side of %(party)s of %(quarter)s of agreement "
           "%(agreement)s (%(title)s).")),
    "quarter_closed": Kind(
        N_("Quarter closed"), N_("%(agreement)s %(quarter)s is closed"),
        N_("Every party confirmed %(quarter)s of agreement %(agreement)s (%(title)s): the "
           "quarter is closed and its statement frozen.")),
    "quarter_reopened": Kind(
        N_("Quarter reopened"), N_("%(agreement)s %(quarter)s was reopened"),
        N_("%(actor)s reopened %(quarter)s of agreement %(agreement)s (%(title)s). Reason: "
           "%(reason)s")),
    "query_raised": Kind(
        N_("Auditor's query"), N_("Auditor's query on %(agreement)s %(quarter)s"),
        N_("%(actor)s asks about %(quarter)s of agreement %(agreement)s (%(title)s): "
           "%(comment)s")),
    "query_answered": Kind(
        N_("Query answered"), N_("Your query on %(agreement)s %(quarter)s was answered"),
        N_("%(actor)s answered your query on %(quarter)s of agreement %(agreement)s: "
           "%(answer)s")),
    "reversal_requested": Kind(
        N_("Reversal to approve"), N_("Reversal of %(entry)s awaits your approval"),
        N_("%(actor)s asks to reverse %(entry)s of fund %(fund)s, which restates the issued "
           "report of %(quarter)s. Reason: %(reason)s")),
    "reversal_approved": Kind(
        N_("Reversal approved"), N_("Your reversal of %(entry)s was approved"),
        N_("%(actor)s approved your request to reverse %(entry)s of fund %(fund)s.")),
    "reversal_rejected": Kind(
        N_("Reversal rejected"), N_("Your reversal of %(entry)s was rejected"),
        N_("%(actor)s rejected your request to reverse %(entry)s of fund %(fund)s. Reason: "
           "%(note)s")),
    "report_issued": Kind(
        N_("Report issued"), N_("Report issued: %(subject)s %(quarter)s, version %(version)s"),
        N_("%(actor)s issued version %(version)s of the report of %(subject)s for "
           "%(quarter)s. The PDF as issued is attached (SHA-256 %(sha256)s).")),
    "cap_reached": Kind(
        N_("Cap almost or fully used"),
        N_("%(percent)s %% of a cap used: %(party)s, %(project)s"),
        N_("As closed for %(quarter)s of agreement %(agreement)s, %(party)s has used "
           "%(used)s of its cap of %(cap)s on %(indicator)s of project %(project)s "
           "(%(percent)s %%).")),
    "entry_opens": Kind(
        N_("Entry window opens"), N_("Entry for %(agreement)s %(quarter)s opens today"),
        N_("Entry of %(quarter)s of agreement %(agreement)s (%(title)s) opened on %(opens)s. "
           "Submit by %(timely)s to be on time; entry locks after %(lock)s.")),
    "entry_due_soon": Kind(
        N_("On-time date in 3 days"), N_("%(agreement)s %(quarter)s is due on %(timely)s"),
        N_("%(quarter)s of agreement %(agreement)s (%(title)s) is not submitted yet. Submit by "
           "%(timely)s (in 3 days) to be on time; entry locks after %(lock)s.")),
    "entry_overdue": Kind(
        N_("Quarter overdue"), N_("%(agreement)s %(quarter)s is overdue by %(days)s days"),
        N_("%(quarter)s of agreement %(agreement)s (%(title)s) was due on %(timely)s and is not "
           "submitted (%(days)s days overdue; %(later)s later quarters are overdue too). Entry "
           "locks after %(lock)s.")),
    "entry_locked": Kind(
        N_("Quarter locked"), N_("%(agreement)s %(quarter)s is locked, %(days)s days overdue"),
        N_("%(quarter)s of agreement %(agreement)s (%(title)s) was due on %(timely)s and entry "
           "locked after %(lock)s without a submission (%(days)s days overdue). Ask an "
           "administrator for a lock exception to enter and submit it.")),
    "tier_ending": Kind(
        N_("Sharing tier ending"), N_("A sharing tier of %(agreement)s ends on %(ends)s"),
        N_("The sharing tier of %(indicator)s in agreement %(agreement)s (%(title)s) ends "
           "with %(quarter)s (%(ends)s). Agree the shares that follow before then.")),
    "settlement_run_ready": Kind(
        N_("Settlement ready to confirm"),
        N_("Settlement of %(agreement)s %(year)s, version %(version)s: check and confirm"),
        N_("%(actor)s computed version %(version)s of the settlement of %(year)s of agreement "
           "%(agreement)s (%(title)s), fingerprint %(fingerprint)s. Check its lines and net "
           "and confirm your party's side.")),
    "settlement_notice_recorded": Kind(
        N_("Settlement notice recorded"),
        N_("Settlement notice %(number)s recorded for %(agreement)s %(year)s"),
        N_("%(actor)s recorded the %(level)s settlement notice %(number)s of %(date)s for "
           "the settlement of %(year)s of agreement %(agreement)s (%(title)s): %(amount)s "
           "yuan booked from %(payer)s to %(payee)s.")),
    "settlement_difference_open": Kind(
        N_("Settlement difference open"),
        N_("A settlement difference of %(agreement)s %(year)s is open for %(days)s days"),
        N_("In the settlement of %(year)s of agreement %(agreement)s (%(title)s), %(payer)s "
           "owed %(payee)s %(due)s yuan and %(booked)s yuan was booked: the difference of "
           "%(difference)s yuan (%(reason)s) has been open for %(days)s days. An auditor "
           "resolves it once it is booked or explained.")),
    "catalogue_flag_changed": Kind(
        N_("Catalogue flag changed"),
        N_("%(project)s: catalogue flag now %(after)s (was %(before)s)"),
        N_("Under the transfer guidance catalogue edition %(edition)s, project %(project)s "
           "(%(name)s), going to %(destination)s, is flagged %(after)s; under %(previous)s it "
           "was %(before)s.")),
}
"""Every kind of notification (reminder sources add theirs with :func:`register_kind`)."""


def register_kind(name: str, kind: Kind) -> None:
    """Add a kind of notification (for example the date-based reminders of deadlines)."""
    KINDS[name] = kind


@cache
def catalogue(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (English and unknown languages: the msgids)."""
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS), [locale])


def translate(text: str, locale: str, **values: str) -> str:
    """``text`` (an English msgid) in ``locale``, with ``values`` filled in."""
    translated = catalogue(locale).ugettext(text)
    return translated % values if values else translated


class _Lenient(dict):
    """Params of an older item that lack a name the template now uses read as "—"."""

    def __missing__(self, key):
        return "—"


def params_of(stored: str) -> dict[str, str]:
    """A notification's params, as stored (JSON of strings)."""
    return json.loads(stored or "{}")


def values_in(params: dict[str, str], locale: str) -> dict[str, str]:
    """The params a template of ``locale`` fills in: a name stored in both languages (a region,
    an indicator) as ``name`` (Chinese) and ``name@en`` reads in the reader's language."""
    values = {k: v for k, v in params.items() if "@" not in k}
    values.update({k.split("@")[0]: v for k, v in params.items() if k.endswith(f"@{locale}")})
    return values


def render(kind: str, stored_params: str, locale: str) -> tuple[str, str]:
    """(subject, body) of a notification in ``locale``."""
    spec = KINDS.get(kind)
    values = _Lenient(values_in(params_of(stored_params), locale))
    if spec is None:
        return kind, ""
    book = catalogue(locale)
    return book.ugettext(spec.subject) % values, book.ugettext(spec.body) % values


def label(kind: str, locale: str) -> str:
    """The name of a kind of notification in ``locale`` (filters, lists)."""
    spec = KINDS.get(kind)
    return translate(spec.label, locale) if spec else kind
