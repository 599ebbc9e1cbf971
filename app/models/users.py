"""Users, their role grants and sign-in attempts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, CreatedAt, IntPK, Name, UTCDateTime, utcnow


class User(Base):
    """A person who signs in. Passwords are stored only as argon2id hashes."""

    __tablename__ = "users"

    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[Name]
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(8), default="zh")
    # How notifications reach the user by e-mail: EACH event, a daily DIGEST, or OFF.
    email_mode: Mapped[str] = mapped_column(String(8), default="EACH", server_default="EACH")
    created_at: Mapped[CreatedAt]
    version: Mapped[int] = mapped_column(default=1)

    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleGrant.id"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class RoleGrant(Base):
    """One role held by a user, with its scope: a region, a fund, or everything (neither)."""

    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(
            "role IN ('ADMIN', 'FUND_MANAGER', 'FINANCE_BUREAU', 'AUDITOR')", name="role_known"
        ),
    )

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"), index=True)

    user: Mapped[User] = relationship(back_populates="grants")
    region = relationship("Region")
    fund = relationship("Fund")


class UserSession(Base):
    """A signed-in browser session. The cookie carries its key; only the key's SHA-256 is
    stored. Signing out deletes the row, so a copied cookie is dead on every server at once."""

    __tablename__ = "user_sessions"

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[CreatedAt]
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SignInAttempt(Base):
    """A sign-in attempt (never the password), used for rate limiting and the security log."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(254), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    is_success: Mapped[bool]
