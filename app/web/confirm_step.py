"""Asking once more before what cannot be undone (submitting a quarter, the confirmation that
closes it, issuing a report, reopening a quarter).

The first POST of such a form carries no ``confirmed`` field: the view answers with a page that
says exactly what will happen and holds the same fields plus ``confirmed=yes``; only that second
POST acts. It is all server-side, so it works without JavaScript, and a double click on the first
button only asks twice. The API does not ask (its clients state what they want)."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from app.web.common import is_chinese

CONFIRMED = "confirmed"


def is_confirmed() -> bool:
    """Whether this POST is the answer to the confirmation page."""
    return request.form.get(CONFIRMED) == "yes"


def ask(*, title: str, lines: list[str], action: str, fields: dict[str, str], yes: str,
        back: str, warning: str | None = None):
    """The confirmation page: ``title`` as the question, ``lines`` saying what will happen,
    ``warning`` what cannot be undone, and a form POSTing ``fields`` again to ``action`` with
    ``confirmed=yes`` (button ``yes``), beside a way back to ``back`` that does nothing."""
    return render_template("confirm_step.html", title=title, lines=lines, warning=warning,
                           action=action, fields=fields, yes=yes, back=back,
                           confirmed=CONFIRMED)


def names_and(names: list[str]) -> str:
    """Names as a sentence lists them: "深圳市和河源市" / "Shenzhen and Heyuan",
    "A、B和C" / "A, B and C"."""
    names = [str(n) for n in names]
    if len(names) < 2:
        return "".join(names)
    head = ("、" if is_chinese() else ", ").join(names[:-1])
    return _("%(names)s and %(last)s", names=head, last=names[-1])
