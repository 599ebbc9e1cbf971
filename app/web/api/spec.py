"""Input fields of the JSON API: each documents itself (JSON Schema) and parses a value."""

# Exact quantities travel as strings ("1234.50"): a JSON number is refused with a field error,
# because a float cannot hold most decimal amounts exactly.

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from app.domain.quarter import Quarter, QuarterError

DECIMAL_INPUT = r"^-?[0-9]{1,14}(\.[0-9]{1,10})?$"
DECIMAL_OUTPUT = r"^-?[0-9]+(\.[0-9]+)?$"
DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
QUARTER_PATTERN = r"^(19|2[0-9])[0-9]{2}Q[1-4]$"
REGION_PATTERN = r"^[0-9]{6}$"
MAX_ID = 2**31 - 1
MISSING = object()


class Invalid(ValueError):
    """A value that does not have the declared shape; the message says why."""


class Field:
    """An input value: its JSON Schema, its parser from JSON and from query or path text."""

    def __init__(self, *, required: bool = False, nullable: bool = False, default=None,
                 description: str = ""):
        self.required, self.nullable, self.default = required, nullable, default
        self.description = description

    def schema(self) -> dict:
        """The JSON Schema of the value."""
        schema = self._schema()
        if self.nullable:
            schema["type"] = [schema["type"], "null"]
        if self.description:
            schema["description"] = self.description
        return schema

    def load(self, value, path: str, errors: dict[str, list[str]]):
        """The parsed value, or MISSING with the error noted under ``path``."""
        try:
            if value is None:
                if self.nullable:
                    return None
                raise Invalid("must not be null")
            return self.parse(value, path, errors)
        except Invalid as exc:
            errors.setdefault(path, []).append(str(exc))
            return MISSING

    def parse(self, value, path: str, errors: dict[str, list[str]]):
        """The value parsed from JSON; Invalid if it has the wrong shape."""
        raise NotImplementedError

    def parse_text(self, text: str):
        """The value parsed from a query-string or path text."""
        return self.parse(text, "", {})

    def _schema(self) -> dict:
        raise NotImplementedError


def clean_text(value) -> str:
    """A string without NUL or lone surrogates (no database stores them); Invalid otherwise."""
    if not isinstance(value, str):
        raise Invalid("must be a string")
    if "\x00" in value:
        raise Invalid("must not contain the NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Invalid("is not valid Unicode text") from None
    return value


class Text(Field):
    """A string of at most ``max_length`` characters, optionally matching ``pattern``."""

    def __init__(self, max_length: int = 200, *, pattern: str | None = None, **kwargs):
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)
        self.max_length, self.pattern = max_length, pattern

    def _schema(self) -> dict:
        schema = {"type": "string", "maxLength": self.max_length}
        if self.pattern:
            schema["pattern"] = self.pattern
        return schema

    def parse(self, value, path, errors):
        value = clean_text(value)
        if len(value) > self.max_length:
            raise Invalid(f"is longer than {self.max_length} characters")
        if self.pattern and not re.fullmatch(self.pattern, value):
            raise Invalid(f'"{value}" does not have the form {self.pattern}')
        return value


class Amount(Field):
    """An exact decimal as a string (``"1234.50"``); JSON numbers are refused."""

    def _schema(self) -> dict:
        return {"type": "string", "pattern": DECIMAL_INPUT, "examples": ["1234.50"]}

    def parse(self, value, path, errors):
        if isinstance(value, bool) or not isinstance(value, str):
            if isinstance(value, int | float):
                raise Invalid(f"{value!r} is a JSON number, and floats are not exact: send "
                              'the amount as a string such as "1234.50"')
            raise Invalid('must be a string such as "1234.50"')
        if not re.fullmatch(DECIMAL_INPUT, value):
            raise Invalid(f'"{value}" is not a decimal number such as "1234.50" (at most 14 '
                          "digits before the point and 10 after)")
        return Decimal(value)


class Day(Field):
    """An ISO date ``2026-09-30`` in the years 1900 to 2999."""

    def _schema(self) -> dict:
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN}

    def parse(self, value, path, errors):
        value = clean_text(value)
        try:
            if not re.fullmatch(DATE_PATTERN, value):
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            raise Invalid(f'"{value}" is not a date like 2026-09-30 (years 1900 to 2999)') \
                from None


class QuarterField(Field):
    """A calendar quarter ``2026Q3`` in the years 1900 to 2999."""

    def _schema(self) -> dict:
        return {"type": "string", "pattern": QUARTER_PATTERN, "examples": ["2026Q3"]}

    def parse(self, value, path, errors):
        value = clean_text(value)
        try:
            if not re.fullmatch(QUARTER_PATTERN, value):
                raise QuarterError(value)
            return Quarter.parse(value)
        except QuarterError:
            raise Invalid(f'"{value}" is not a quarter like 2026Q3 (years 1900 to 2999)') \
                from None


class Integer(Field):
    """A whole number between ``minimum`` and ``maximum``."""

    def __init__(self, minimum: int = -MAX_ID - 1, maximum: int = MAX_ID, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    def _schema(self) -> dict:
        return {"type": "integer", "minimum": self.minimum, "maximum": self.maximum}

    def parse(self, value, path, errors):
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("must be a whole number")
        if not self.minimum <= value <= self.maximum:
            raise Invalid(f"{value} is not between {self.minimum} and {self.maximum}")
        return value

    def parse_text(self, text: str):
        if not re.fullmatch(r"-?[0-9]{1,12}", text):
            raise Invalid(f'"{text}" is not a whole number')
        return self.parse(int(text), "", {})


class Boolean(Field):
    """``true`` or ``false``."""

    def _schema(self) -> dict:
        return {"type": "boolean"}

    def parse(self, value, path, errors):
        if not isinstance(value, bool):
            raise Invalid("must be true or false")
        return value


class OneOf(Field):
    """One of a fixed list of strings."""

    def __init__(self, values, **kwargs):
        super().__init__(**kwargs)
        self.values = list(values)

    def _schema(self) -> dict:
        return {"type": "string", "enum": list(self.values)}

    def parse(self, value, path, errors):
        value = clean_text(value)
        if value not in self.values:
            raise Invalid(f'"{value}" is not one of {", ".join(self.values)}')
        return value


class Choice(OneOf):
    """One of the codes of a coded enum (``EQUITY``); the member is returned."""

    def __init__(self, enum_cls, **kwargs):
        super().__init__([m.value for m in enum_cls], **kwargs)
        self.enum_cls = enum_cls

    def parse(self, value, path, errors):
        return self.enum_cls(super().parse(value, path, errors))


class Obj(Field):
    """A JSON object with these properties and no others; missing optional ones get defaults."""

    def __init__(self, properties: dict[str, Field], **kwargs):
        super().__init__(**kwargs)
        self.properties = properties

    def _schema(self) -> dict:
        return {"type": "object",
                "properties": {k: f.schema() for k, f in self.properties.items()},
                "required": [k for k, f in self.properties.items() if f.required],
                "additionalProperties": False}

    def parse(self, value, path, errors):
        if not isinstance(value, dict):
            raise Invalid("must be a JSON object")
        result = {}
        for key in value.keys() - self.properties.keys():
            errors.setdefault(_join(path, key), []).append("is not a field of this object")
        for key, field in self.properties.items():
            if key in value:
                result[key] = field.load(value[key], _join(path, key), errors)
            elif field.required:
                errors.setdefault(_join(path, key), []).append("is required")
            else:
                result[key] = field.default
        return result


class Arr(Field):
    """A JSON array of at most ``max_items`` items of one shape."""

    def __init__(self, items: Field, max_items: int = 1000, **kwargs):
        kwargs.setdefault("default", [])
        super().__init__(**kwargs)
        self.items, self.max_items = items, max_items

    def _schema(self) -> dict:
        return {"type": "array", "items": self.items.schema(), "maxItems": self.max_items}

    def parse(self, value, path, errors):
        if not isinstance(value, list):
            raise Invalid("must be a JSON array")
        if len(value) > self.max_items:
            raise Invalid(f"has more than {self.max_items} items")
        return [self.items.load(v, _join(path, str(i)), errors) for i, v in enumerate(value)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
