"""``create_user(..., hashed=...)``: users created with one hash of their one password (the
nation demo's bureaus) sign in with that password, and with no other."""

from __future__ import annotations

import pytest

from app.domain.codes import Role
from app.services.access import users
from app.services.access.users import SignInRefused


def test_users_created_with_one_hash_sign_in_with_its_password(db):
    hashed = users.hash_password("demo-bureau-2026")
    for email in ("one@nation.example", "two@nation.example"):
        users.create_user(db, email, "经办", "demo-bureau-2026",
                          [users.GrantSpec(Role.FINANCE_BUREAU, region_code="440300")],
                          hashed=hashed)
    for email in ("one@nation.example", "two@nation.example"):
        user = users.authenticate(db, email, "demo-bureau-2026", "127.0.0.1", max_failures=5,
                                  window_seconds=60)
        assert user.email == email and user.password_hash == hashed
    with pytest.raises(SignInRefused):
        users.authenticate(db, "two@nation.example", "not-the-password", "127.0.0.1",
                           max_failures=5, window_seconds=60)
