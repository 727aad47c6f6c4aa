"""Record validation with the same rules as lake-core's `recordValidator` (src/derive/validator.ts).

It runs in Python on the raw JSON text because Spark's JSON reader loses the JSON token types the
contract rules depend on (a string "12" and a number 12 both read into a string column; a number
reads into a timestamp as epoch seconds). Rules come from the exported contract columns.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

Column = dict[str, Any]

_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_INT32 = (-(2**31), 2**31 - 1)
_SAFE_INTEGER = 2**53 - 1
MAX_ISSUES = 20


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return f"string {json.dumps(value[:40] + '...' if len(value) > 40 else value)}"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    return f"number {_js_number(value)}"


def _js_number(value: int | float) -> str:
    """How JavaScript's String(n) prints a JSON number (a double; integral values without `.0`)."""
    if isinstance(value, int) and abs(value) > _SAFE_INTEGER:
        value = float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _valid_date(text: str) -> bool:
    m = _DATE.match(text)
    if not m:
        return False
    try:
        date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return False
    return True


def _valid_timestamp(text: str) -> bool:
    m = _TIMESTAMP.match(text)
    if not m:
        return False
    try:
        datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6]))
    except ValueError:
        return False
    zone = m[8]
    return zone == "Z" or (int(zone[1:3]) <= 23 and int(zone[4:6]) <= 59)


def _decimal_problem(value: int | float | str, precision: int, scale: int) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    text = value if isinstance(value, str) else _js_number(value)
    if not _DECIMAL.match(text):
        return "is not a decimal number"
    int_part, _, frac = text.lstrip("-").partition(".")
    if len(frac) > scale:
        return f"has {len(frac)} decimal places, at most {scale} allowed"
    int_digits = len(int_part.lstrip("0"))
    if int_digits > precision - scale:
        return f"has {int_digits} integer digits, at most {precision - scale} allowed"
    return None


class _Checker:
    def __init__(self) -> None:
        self.issues: list[str] = []

    def add(self, path: str, message: str) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(f"{path}: {message}")

    def columns(self, columns: list[Column], value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.add(path or "$", f"expected object, got {_describe(value)}")
            return
        for column in columns:
            child_path = f"{path}.{column['name']}" if path else column["name"]
            missing = column["name"] not in value
            child = value.get(column["name"])
            if child is None:
                if not column.get("nullable", True):
                    self.add(child_path, "required field is missing" if missing else "required field is null")
                continue
            self.value(column, column["type"], child, child_path)

    def value(self, column: Column, type_: dict[str, Any], value: Any, path: str) -> None:
        kind = type_["kind"]
        if kind == "string":
            if not isinstance(value, str):
                return self.add(path, f"expected string, got {_describe(value)}")
            if "enum" in column and value not in column["enum"]:
                return self.add(path, f"{_describe(value)} is not one of {', '.join(column['enum'])}")
            if "pattern" in column and not re.search(column["pattern"], value):
                return self.add(path, f"{_describe(value)} does not match {column['pattern']}")
        elif kind in ("int", "long"):
            if not _is_number(value) or (isinstance(value, float) and not value.is_integer()):
                return self.add(path, f"expected integer, got {_describe(value)}")
            if kind == "int" and not _INT32[0] <= value <= _INT32[1]:
                return self.add(path, f"{_js_number(value)} is out of int range")
            if abs(value) > _SAFE_INTEGER:
                return self.add(path, f"{_js_number(value)} is not a safe integer")
            self.bounds(column, value, path)
        elif kind == "double":
            if not _is_number(value) or not math.isfinite(value):
                return self.add(path, f"expected number, got {_describe(value)}")
            self.bounds(column, value, path)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.add(path, f"expected boolean, got {_describe(value)}")
        elif kind == "date":
            if not isinstance(value, str) or not _valid_date(value):
                self.add(path, f"expected date YYYY-MM-DD, got {_describe(value)}")
        elif kind == "timestamp":
            if not isinstance(value, str) or not _valid_timestamp(value):
                self.add(path, f"expected ISO 8601 timestamp with zone, got {_describe(value)}")
        elif kind == "decimal":
            precision, scale = type_["precision"], type_["scale"]
            if not _is_number(value) and not isinstance(value, str):
                return self.add(path, f"expected decimal({precision},{scale}), got {_describe(value)}")
            problem = _decimal_problem(value, precision, scale)
            if problem:
                return self.add(path, f"{_describe(value)} {problem} for decimal({precision},{scale})")
            self.bounds(column, float(value), path)
        elif kind == "array":
            if not isinstance(value, list):
                return self.add(path, f"expected array, got {_describe(value)}")
            for i, element in enumerate(value):
                if element is None:
                    self.add(f"{path}[{i}]", "array element is null")
                else:
                    self.value(column, type_["element"], element, f"{path}[{i}]")
        elif kind == "struct":
            self.columns(type_["fields"], value, path)
        else:
            raise ValueError(f"unknown column type kind {kind!r} at {path}")

    def bounds(self, column: Column, value: float, path: str) -> None:
        if "min" in column and value < column["min"]:
            self.add(path, f"{_js_number(value)} is below the minimum {_js_number(column['min'])}")
        elif "max" in column and value > column["max"]:
            self.add(path, f"{_js_number(value)} is above the maximum {_js_number(column['max'])}")


Validator = Callable[[str], "str | None"]


def line_validator(columns: list[Column]) -> Validator:
    """Returns a function: raw JSON line -> None when valid, else the reason (issues joined by '; ')."""

    def validate(line: str) -> str | None:
        try:
            record = json.loads(line)
        except ValueError as err:
            return f"$: malformed JSON: {err}"
        checker = _Checker()
        checker.columns(columns, record, "")
        return "; ".join(checker.issues) if checker.issues else None

    return validate
