"""The projects whose catalogue flag a new edition changed are told to the managers of the funds
investing in them and the bureaus of their destination (catalogue.md, "Changed flags"), once,
in the reader's language; the first edition of a database tells nobody."""

from __future__ import annotations

from sqlalchemy import func, select

from app.domain.codes import Role, ScreeningFlag
from app.models import Notification
from app.services.access import users as users_service
from app.services.access.scopes import SYSTEM
from app.services.funds import catalogue_changes
from app.services.notifications.texts import render
from tests.factories import PASSWORD, actor_of, invest, make_fund, make_project, make_user
from tests.integration.catalogue_helpers import load_edition

FIRST = ("441400,NO_LONGER,钢铁,炼钢,3120,,FALSE\n"
         "441400,PRIORITY,汽车,零部件,3670,,FALSE\n")
SECOND = ("441400,PRIORITY,钢铁,短流程炼钢,3120,,FALSE\n"
          "441400,PRIORITY,汽车,零部件,3670,,FALSE\n")


def told(db) -> dict[int, list[Notification]]:
    """The catalogue notifications by recipient."""
    db.flush()
    found: dict[int, list[Notification]] = {}
    for item in db.scalars(select(Notification).where(
            Notification.kind == "catalogue_flag_changed")):
        found.setdefault(item.user_id, []).append(item)
    return found


def _world(db):
    red = make_project(db, code="CAT-RED", destination="441400", industry="3120")
    same = make_project(db, code="CAT-SAME", destination="441400", industry="3670")
    red_fund, same_fund = make_fund(db, "F-RED"), make_fund(db, "F-SAME")
    invest(db, red_fund, red)
    invest(db, same_fund, same)
    users = {
        "red_manager": make_user(db, Role.FUND_MANAGER, "F-RED"),
        "same_manager": make_user(db, Role.FUND_MANAGER, "F-SAME", locale="zh"),
        "meizhou": make_user(db, Role.FINANCE_BUREAU, "441400", locale="zh"),
        "guangdong": make_user(db, Role.FINANCE_BUREAU, "440000"),
        "heyuan": make_user(db, Role.FINANCE_BUREAU, "441600"),
        "source": make_user(db, Role.FINANCE_BUREAU, "440300"),  # 深圳: where it comes from
        "admin": make_user(db, Role.ADMIN),
    }
    return red, users


def test_a_new_edition_tells_the_funds_managers_and_the_destination_bureaus_of_a_change(db):
    red, users = _world(db)
    first = load_edition(db, FIRST, "first")
    assert first.ok and first.activation.changes  # the first edition flags projects …
    assert told(db) == {}  # … but changes nothing anyone knew: nobody is told

    second = load_edition(db, SECOND, "second", current=True,
                          actor=actor_of(db, users["admin"]))
    assert second.ok
    assert [(c.code, c.before, c.after) for c in second.activation.changes] == [
        ("CAT-RED", ScreeningFlag.NO_LONGER, ScreeningFlag.PRIORITY)]
    found = told(db)
    assert set(found) == {users["red_manager"].id, users["meizhou"].id, users["guangdong"].id}
    assert all(len(items) == 1 for items in found.values())  # once each
    item = found[users["red_manager"].id][0]
    assert item.link == f"/projects/{red.id}#catalogue"
    assert (item.object_kind, item.object_id) == ("project", red.id)
    subject, body = render(item.kind, item.params, "en")
    assert subject == "CAT-RED: catalogue flag now Priority to take on (was No longer to take on)"
    assert body == ("Under the transfer guidance catalogue edition second, project CAT-RED "
                    "(项目 CAT-RED), going to Meizhou, is flagged Priority to take on; under first "
                    "it was No longer to take on.")
    subject_zh, body_zh = render(item.kind, item.params, "zh")
    assert subject_zh == "CAT-RED：目录标识变为优先承接发展（原为引导不再承接）"
    assert "按产业转移指导目录 second 版，转入梅州市的项目 CAT-RED" in body_zh


def test_the_administrator_who_makes_an_edition_current_is_not_told_and_an_event_is_stored_once(
        db):
    _red, users = _world(db)
    # An administrator who also manages F-RED would be told, were they not the actor.
    admin = users_service.create_user(
        db, "both@example.cn", "both", PASSWORD, [users_service.GrantSpec(Role.ADMIN),
                                                  users_service.GrantSpec(
                                                      Role.FUND_MANAGER, fund_code="F-RED")],
        locale="en")
    load_edition(db, FIRST, "first")
    second = load_edition(db, SECOND, "second")
    acting = actor_of(db, admin)
    activation = catalogue_changes.activate(db, acting, second.edition_id)
    assert admin.id not in told(db) and users["red_manager"].id in told(db)
    before = db.scalar(select(func.count()).select_from(Notification))
    assert catalogue_changes.notify(db, activation, acting) == 0  # raised again: stored once
    assert db.scalar(select(func.count()).select_from(Notification)) == before


def test_rescreening_with_no_change_tells_nobody(db):
    _world(db)
    load_edition(db, FIRST, "first")
    activation = catalogue_changes.rescreen(db, SYSTEM)
    assert activation.changes == [] and told(db) == {}
