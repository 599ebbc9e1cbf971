"""Helpers of the web tests: signed-in clients, form errors beside their fields, row counts."""

from __future__ import annotations

from html.parser import HTMLParser

from sqlalchemy import event, func, select

from tests.factories import sign_in


def client_of(app, user):
    """A fresh test client of ``app`` signed in as ``user`` (the sign-in must succeed)."""
    client = app.test_client()
    response = sign_in(client, user)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def count(db, model) -> int:
    """How many rows ``model``'s table holds, as the app's sessions see it."""
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    """The decoded body of a response."""
    return response.get_data(as_text=True)


class _FieldErrors(HTMLParser):
    """Collects, for each ``div.field`` of a rendered form, its control names and error texts."""

    def __init__(self):
        super().__init__()
        self.errors: dict[str, list[str]] = {}
        self.form_alerts: list[str] = []
        self._names: list[str] | None = None
        self._messages: list[str] = []
        self._capture: list[str] | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div":
            if self._names is not None:
                self._depth += 1
            elif "field" in classes:
                self._names, self._messages, self._depth = [], [], 0
            elif "alert" in classes:
                self._capture = []
        if self._names is not None and tag in ("input", "select", "textarea") and "name" in attrs:
            self._names.append(attrs["name"])
        if self._names is not None and tag == "small" and "error" in classes:
            self._capture = []

    def handle_data(self, data):
        if self._capture is not None:
            self._capture.append(data)

    def handle_endtag(self, tag):
        if tag == "small" and self._capture is not None and self._names is not None:
            self._messages.append("".join(self._capture).strip())
            self._capture = None
        elif tag == "div" and self._names is not None:
            if self._depth:
                self._depth -= 1
                return
            for name in self._names:
                self.errors.setdefault(name, []).extend(self._messages)
            self._names = None
        elif tag == "div" and self._capture is not None:
            self.form_alerts.append(" ".join("".join(self._capture).split()))
            self._capture = None


def errors_beside(response, field: str) -> list[str]:
    """The error messages rendered beside the form control named ``field``."""
    parser = _FieldErrors()
    parser.feed(text_of(response))
    return parser.errors.get(field, [])


def all_field_errors(response) -> dict[str, list[str]]:
    """Every form control name with the errors rendered beside it (only those with errors)."""
    parser = _FieldErrors()
    parser.feed(text_of(response))
    return {name: messages for name, messages in parser.errors.items() if messages}


def form_alerts(response) -> list[str]:
    """The messages shown at the top of a form (conflicts, errors of no single field)."""
    parser = _FieldErrors()
    parser.feed(text_of(response))
    return parser.form_alerts


def statements_of_get(bind, client, url: str) -> int:
    """How many SQL statements one GET of ``url`` runs on ``bind`` (an engine or connection)."""
    seen = []

    def note(*_args):
        seen.append(1)

    event.listen(bind, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200, url
    finally:
        event.remove(bind, "before_cursor_execute", note)
    return len(seen)
