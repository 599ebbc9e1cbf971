"""Users, passwords (argon2id), role grants and rate-limited sign-in."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.domain.codes import Role
from app.domain.messages import N_
from app.models import Fund, Region, RoleGrant, SignInAttempt, User, UserSession
from app.models.audit import append_entries
from app.models.base import utcnow
from app.services.access.scopes import Actor, actor_of
from app.services.access.sessions import end_all_sessions, key_hash
from app.services.errors import Conflict, NotFound, ValidationFailed, require

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _HASHER.hash(password)


def _check_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash of no one's password, made once per process with the hasher's parameters."""
    return _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class GrantSpec:
    """A role with its scope: a region code, a fund code, or neither (everything). ``field``
    names the field a bad scope is reported under (a form with a row per grant names the
    row's)."""

    role: Role
    region_code: str | None = None
    fund_code: str | None = None
    field: str = "scope"


def validate_password(password: str, field: str = "password") -> None:
    """Refuse passwords that are too short."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            {field: [N_("must be at least %(n)s characters long", n=MIN_PASSWORD_LENGTH)]}
        )


def create_user(session: Session, email: str, name: str, password: str,
                grants: list[GrantSpec], locale: str = "zh", *, hashed: str | None = None
                ) -> User:
    """Add a user with hashed password and role grants; raise ValidationFailed naming every
    bad field at once (:func:`new_user_errors`). ``hashed``: a :func:`hash_password` of
    ``password`` made earlier, for a loader creating many users with one password (the nation
    demo; argon2id costs a tenth of a second each time)."""
    email = (email or "").strip().lower()
    errors = _account_errors(session, email, password)
    if not grants:
        errors["role"] = [N_("choose at least one role")]
    new = _grants(session, grants, errors)
    require(errors)
    user = User(email=email, name=(name or email).strip(),
                password_hash=hashed or hash_password(password), locale=locale)
    session.add(user)
    user.grants.extend(new)
    session.flush()
    return user


def _account_errors(session: Session, email: str, password: str) -> dict[str, list]:
    errors: dict[str, list] = {}
    if not _EMAIL.match(email):
        errors["email"] = [N_('"%(email)s" is not an e-mail address', email=email)]
    elif session.scalar(select(User.id).where(User.email == email)):
        errors["email"] = [N_("a user with e-mail %(email)s exists already", email=email)]
    try:
        validate_password(password)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    return errors


def new_user_errors(session: Session, email: str, password: str,
                    grants: list[GrantSpec]) -> dict[str, list]:
    """Everything :func:`create_user` would refuse, by field, writing nothing: a form checks
    all of it before it saves, so one submit reports every error."""
    errors = _account_errors(session, (email or "").strip().lower(), password)
    errors.update(grant_errors(session, grants))
    return errors


def grant_errors(session: Session, grants: list[GrantSpec]) -> dict[str, list]:
    """Everything wrong with ``grants`` (no role; each bad scope under its spec's field),
    writing nothing."""
    errors: dict[str, list] = {}
    if not grants:
        errors["role"] = [N_("choose at least one role")]
    _grants(session, grants, errors)
    return errors


def _grants(session: Session, specs: list[GrantSpec],
            errors: dict[str, list[str]]) -> list[RoleGrant]:
    """The grants of ``specs``; every bad scope is added to ``errors["scope"]`` (all at once)."""
    grants = []
    for spec in specs:
        try:
            grants.append(_grant(session, spec))
        except ValidationFailed as exc:
            for field, messages in exc.errors.items():
                errors.setdefault(field, []).extend(messages)
    return grants


def _grant(session: Session, spec: GrantSpec) -> RoleGrant:
    def refuse(message):
        return ValidationFailed({spec.field: [message]})

    grant = RoleGrant(role=spec.role.value)
    if spec.role is Role.FUND_MANAGER:
        if not spec.fund_code:
            raise refuse(N_("a fund manager's scope is a fund code"))
        fund = session.scalar(select(Fund).where(Fund.code == spec.fund_code))
        if fund is None:
            raise refuse(N_('no fund has the code "%(code)s"', code=spec.fund_code))
        grant.fund = fund
    elif spec.role in (Role.FINANCE_BUREAU, Role.AUDITOR):
        if spec.region_code:
            region = session.scalar(select(Region).where(Region.code == spec.region_code))
            if region is None:
                raise refuse(N_('no region has the code "%(code)s"', code=spec.region_code))
            grant.region = region
        elif spec.role is Role.FINANCE_BUREAU:
            raise refuse(N_("a finance bureau's scope is a region code"))
    elif spec.region_code or spec.fund_code:
        raise refuse(N_("an administrator's scope is everything: leave the scope blank"))
    return grant


def set_grants(session: Session, user_id: int, version: int, grants: list[GrantSpec],
               is_active: bool) -> User:
    """Replace a user's role grants and active flag (administrators only)."""
    user = get_user(session, user_id)
    if user.version != version:
        raise Conflict(N_("the user was changed by someone else; reload and try again"))
    errors: dict[str, list[str]] = {}
    if not grants:
        errors["role"] = [N_("choose at least one role")]
    new = _grants(session, grants, errors)
    require(errors)
    user.grants.clear()
    session.flush()
    user.grants.extend(new)
    if user.is_active and not is_active:
        end_all_sessions(session, user.id)  # enabling the user again revives no old cookie
    user.is_active = is_active
    # Grants live in their own table: bump the user's version so a concurrent edit conflicts.
    user.version += 1
    session.flush()
    return user


def change_password(session: Session, user_id: int, current: str, new: str) -> None:
    """Change one's own password after checking the current one; every session of the user
    ends (the caller opens a new one for the browser that made the change)."""
    user = get_user(session, user_id)
    if not _check_password(user.password_hash, current):
        raise ValidationFailed({"current_password": [N_("is not your current password")]})
    validate_password(new, "new_password")
    user.password_hash = hash_password(new)
    end_all_sessions(session, user.id)
    session.flush()


def set_locale(session: Session, user_id: int, locale: str) -> None:
    """Remember the user's interface language (``zh`` or ``en``)."""
    if locale not in ("zh", "en"):
        raise ValidationFailed(locale=N_('"%(locale)s" is not a supported language',
                                         locale=locale))
    get_user(session, user_id).locale = locale
    session.flush()


def get_user(session: Session, user_id: int) -> User:
    """A user with their grants loaded, or NotFound: one joined query, because every signed-in
    request starts here (two fewer round trips than loading the grants separately)."""
    user = session.scalars(
        select(User).where(User.id == user_id)
        .options(joinedload(User.grants).joinedload(RoleGrant.region),
                 joinedload(User.grants).joinedload(RoleGrant.fund))
    ).unique().first()
    if user is None:
        raise NotFound(f"user {user_id}")
    return user


def user_by_email(session: Session, email: str) -> User:
    """The user with this e-mail (any case); ValidationFailed naming ``email`` if none."""
    email = (email or "").strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise ValidationFailed(email=N_('no user has the e-mail "%(email)s"', email=email))
    return user


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user as every request needs them: who they are, their language and their
    actor (scopes)."""

    id: int
    email: str
    name: str
    locale: str
    is_active: bool
    actor: Actor


def signed_in(session: Session, user_id: int, session_key: str) -> SignedIn:
    """The user of a session cookie in one query of plain rows (every signed-in request starts
    here: no ORM objects are built for the user and their grants), or NotFound when the
    session was ended (signed out, password changed, user disabled) or has expired."""
    rows = session.execute(
        select(User.email, User.name, User.locale, User.is_active,
               RoleGrant.role, RoleGrant.fund_id, Region.code)
        .join(UserSession, (UserSession.user_id == User.id)
              & (UserSession.key_hash == key_hash(session_key))
              & (UserSession.expires_at > utcnow()))
        .outerjoin(RoleGrant, RoleGrant.user_id == User.id)
        .outerjoin(Region, Region.id == RoleGrant.region_id)
        .where(User.id == user_id).order_by(RoleGrant.id)).all()
    if not rows:
        raise NotFound(f"user {user_id}")
    email, name, locale, is_active = rows[0][:4]
    grants = [(role, fund_id, region) for *_user, role, fund_id, region in rows if role]
    return SignedIn(user_id, email, name, locale, is_active,
                    actor_of(user_id, email, locale, grants))


def list_users(session: Session) -> list[User]:
    """Every user with their grants, by e-mail."""
    return list(session.scalars(
        select(User).order_by(User.email)
        .options(selectinload(User.grants).selectinload(RoleGrant.region),
                 selectinload(User.grants).selectinload(RoleGrant.fund))
    ))


class SignInRefused(Exception):
    """Wrong e-mail or password, an inactive user, or too many recent failures."""

    def __init__(self, message: str, *, is_rate_limited: bool = False):
        super().__init__(message)
        self.is_rate_limited = is_rate_limited


def authenticate(session: Session, email: str, password: str, remote_addr: str, *,
                 max_failures: int, window_seconds: int) -> User:
    """Check a sign-in, recording the attempt; raise SignInRefused with a user-facing message.

    After ``max_failures`` failures for the same e-mail within ``window_seconds`` every attempt
    is refused until the window has passed, even with the right password.
    """
    email = (email or "").strip().lower()
    since = utcnow() - dt.timedelta(seconds=window_seconds)
    failures = session.scalar(
        select(func.count()).select_from(SignInAttempt).where(
            SignInAttempt.email == email, SignInAttempt.attempted_at >= since,
            SignInAttempt.is_success.is_(False),
        )
    )
    if failures >= max_failures:
        _record_attempt(session, email, remote_addr, success=False, reason="rate limited")
        raise SignInRefused("Too many failed attempts. Try again in a few minutes.",
                            is_rate_limited=True)
    user = session.scalar(select(User).where(User.email == email))
    # One argon2 verification on every path, so the time taken does not tell an unknown or
    # disabled e-mail from a wrong password.
    matches = _check_password(user.password_hash if user is not None else _dummy_hash(),
                              password)
    if user is None or not user.is_active or not matches:
        _record_attempt(session, email, remote_addr, success=False, reason="bad credentials")
        raise SignInRefused("Wrong e-mail or password.")
    _record_attempt(session, email, remote_addr, success=True)
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.flush()
    return user


def _record_attempt(session: Session, email: str, remote_addr: str, *, success: bool,
                    reason: str = "") -> None:
    session.add(SignInAttempt(email=email, remote_addr=remote_addr[:64], is_success=success))
    session.flush()
    if not success:
        append_entries(session.connection(), (None, email or "(blank)"),
                       [("security", "sign-in", "SIGN_IN_FAILED",
                         {"email": email, "remote_addr": remote_addr, "reason": reason})])


def log_access_denied(session: Session, user_id: int | None, label: str, path: str) -> None:
    """Record in the audit trail that a user asked for something outside their scope."""
    append_entries(session.connection(), (user_id, label),
                   [("security", "access", "ACCESS_DENIED", {"path": path})])
