"""The inbox as a keyset-paginated list (the web's page and the API's collection)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Notification
from app.services.lists.keyset import DEFAULT_PAGE_SIZE, KeysetPage, ListSpec, SortKey, paginate
from app.services.notifications.inbox import inbox_query


def inbox_page(session: Session, user_id: int, *, unread_only: bool = False,
               kind: str | None = None, cursor: str | None = None,
               per_page: int = DEFAULT_PAGE_SIZE) -> KeysetPage:
    """A page of the user's own notifications, newest first; optionally unread ones or one
    kind (ValidationFailed naming ``kind`` or ``cursor`` for values this list does not know)."""
    spec = ListSpec(inbox_query(user_id, unread_only=unread_only, kind=kind),
                    {"newest": SortKey((Notification.id,))}, "-newest")
    return paginate(session, spec, cursor=cursor, per_page=per_page)
