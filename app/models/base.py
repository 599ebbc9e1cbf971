"""Declarative base, constraint naming convention and the exact-number column types."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from sqlalchemy import BigInteger, DateTime, Enum, Integer, MetaData, String, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, mapped_column

from app.domain.quarter import Quarter

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """The current time in UTC, timezone-aware (called per row, never once at import)."""
    return dt.datetime.now(dt.UTC)


class ScaledDecimal(TypeDecorator):
    """A ``Decimal`` stored as a whole number of its smallest unit (``places`` decimals).

    Money is stored as integer fen, so ``SUM`` in SQL is exact on SQLite (which keeps ``Numeric``
    as floating point) and PostgreSQL alike. Binding a value that is not a whole multiple of the
    unit raises rather than rounds: callers validate first.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, places: int = 2):
        super().__init__()
        self.places = places
        self._unit = Decimal(1).scaleb(-places)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value)
        scaled = value.scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} is not a whole multiple of {self._unit}")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.places).quantize(self._unit)

    def coerce_compared_value(self, op, value):
        return self


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on both engines (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass UTC-aware datetimes")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


Money = Annotated[Decimal, mapped_column(ScaledDecimal(2))]
"""Yuan, exact to the fen."""

Area = Annotated[Decimal, mapped_column(ScaledDecimal(2))]
"""Mu (亩), exact to 0.01 亩."""

IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]
Code = Annotated[str, mapped_column(String(32))]
Name = Annotated[str, mapped_column(String(200))]
CreatedAt = Annotated[dt.datetime, mapped_column(UTCDateTime, default=utcnow)]


def coded(enum_cls: type, **kwargs):
    """A column holding one of an enum's codes, as text guarded by a CHECK constraint."""
    return mapped_column(
        Enum(
            enum_cls,
            native_enum=False,
            create_constraint=True,
            length=24,
            values_callable=lambda members: [m.value for m in members],
            name=enum_cls.__name__.lower(),
            validate_strings=True,
        ),
        **kwargs,
    )


class QuarterType(TypeDecorator):
    """A :class:`Quarter` stored as its text ``2026Q3`` (which sorts in calendar order)."""

    impl = String(6)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return str(value if isinstance(value, Quarter) else Quarter.parse(value))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Quarter.parse(value)


Indicator = Annotated[Decimal, mapped_column(ScaledDecimal(4))]
"""An indicator value or weight, exact to 0.0001 of its unit (quanta are multiples of that)."""
