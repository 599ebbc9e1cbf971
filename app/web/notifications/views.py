"""Views of notifications: the inbox (filters, keyset pages, mark read), following an item to
where the action is, the e-mail preference, and the administrators' failed deliveries."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.db import get_session
from app.domain.codes import Role
from app.models.notifications import EMAIL_MODES
from app.services.access.scopes import require_role
from app.services.errors import ValidationFailed
from app.services.lists.notifications import inbox_page
from app.services.notifications import inbox, texts
from app.web.common import actor, localized_errors, require_sign_in, sign_in_required

bp = Blueprint("notifications", __name__)
PAGE_SIZE = 50


@bp.app_context_processor
def _bell():
    """The unread count of the header's bell: one indexed count, only when signed in."""
    user = g.get("user")
    if user is None or request.blueprint == "api":
        return {}
    return {"unread_notifications": inbox.unread_count(get_session(), user.id)}


def shown(item, locale: str) -> dict:
    """An item as the inbox and the API show it: its texts in ``locale``."""
    subject, body = texts.render(item.kind, item.params, locale)
    return {"item": item, "subject": subject, "body": body,
            "kind_label": texts.label(item.kind, locale)}


def _locale() -> str:
    return "en" if str(get_locale() or "zh").startswith("en") else "zh"


@bp.route("/notifications")
@sign_in_required
def index():
    """The user's inbox, newest first: unread only (the default) or all, and one kind."""
    show = "all" if request.args.get("show") == "all" else "unread"
    kind = request.args.get("kind", "")
    kind = kind if kind in texts.KINDS else ""

    def page_at(cursor):
        return inbox_page(get_session(), g.user.id, unread_only=show == "unread",
                          kind=kind or None, cursor=cursor, per_page=PAGE_SIZE)
    try:
        page = page_at(request.args.get("cursor") or None)
    except ValidationFailed as exc:
        for messages in localized_errors(exc.errors).values():
            for message in messages:
                flash(message, "error")
        page = page_at(None)
    locale = _locale()
    kinds = sorted(((name, texts.label(name, locale)) for name in texts.KINDS),
                   key=lambda pair: pair[1])
    return render_template("notifications/index.html", page=page, show=show, kind=kind,
                           kinds=kinds, items=[shown(i, locale) for i in page.items])


@bp.route("/notifications/<int:notification_id>/go")
@sign_in_required
def follow(notification_id: int):
    """Mark the item read and go to where its action is."""
    db = get_session()
    item = inbox.mark_read(db, g.user.id, notification_id)
    db.commit()
    return redirect(item.link if item.link.startswith("/") else url_for("notifications.index"))


def _back() -> str:
    show, kind = request.form.get("show"), request.form.get("kind")
    return url_for("notifications.index", show=show if show == "all" else None,
                   kind=kind if kind in texts.KINDS else None)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@sign_in_required
def mark_read(notification_id: int):
    """Mark one of one's notifications read."""
    db = get_session()
    inbox.mark_read(db, g.user.id, notification_id)
    db.commit()
    return redirect(_back())


@bp.route("/notifications/read-all", methods=["POST"])
@sign_in_required
def mark_all_read():
    """Mark every notification of one's own read."""
    db = get_session()
    done = inbox.mark_all_read(db, g.user.id)
    db.commit()
    flash(_("%(count)s notifications marked read.", count=done), "success")
    return redirect(_back())


@bp.route("/profile/email", methods=["POST"])
@sign_in_required
def email_mode():
    """Choose how notifications come by e-mail: each event, a daily digest, or none."""
    mode = request.form.get("email_mode", "")
    if mode not in EMAIL_MODES:
        flash(_("Notifications by e-mail: choose one of the offered options."), "error")
        return redirect(url_for("auth.profile") + "#email")
    db = get_session()
    inbox.set_email_mode(db, g.user.id, mode)
    db.commit()
    flash(_("E-mail preference saved."), "success")
    return redirect(url_for("auth.profile") + "#email")


@bp.route("/admin/notifications/failed")
def failed():
    """Administrators: e-mails given up after five failed deliveries, with their error."""
    if (to_sign_in := require_sign_in()) is not None:
        return to_sign_in
    items = inbox.failed_deliveries(get_session(), actor())
    locale = _locale()
    return render_template("notifications/failed.html", items=[shown(i, locale) for i in items])


@bp.route("/admin/notifications/<int:notification_id>/retry", methods=["POST"])
def retry(notification_id: int):
    """Administrators: queue a failed e-mail again (sent at the next ``notify send``)."""
    if (to_sign_in := require_sign_in()) is not None:
        return to_sign_in
    require_role(actor(), Role.ADMIN)
    db = get_session()
    inbox.retry_delivery(db, actor(), notification_id)
    db.commit()
    flash(_("Queued again: it is sent at the next delivery run."), "success")
    return redirect(url_for("notifications.failed"))
