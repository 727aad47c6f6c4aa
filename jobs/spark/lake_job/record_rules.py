"""Record validation with the same rules as lake-core's `recordValidator` (src/derive/validator.ts).

It runs in Python on the raw JSON text because Spark's JSON reader loses the JSON token types the
contract rules depend on (a string "12" and a number 12 both read into a string column; a number
reads into a timestamp as epoch seconds). Rules come from the exported contract columns.

The semantics are JavaScript's, as lake-core runs them: JSON.parse's grammar (no NaN/Infinity),
numbers as doubles, patterns without the `u` flag (`\\d` ASCII only, `$` the end of the text, never
before a trailing newline), reasons printed as JavaScript prints values. The conformance corpus
(tools/conformance-corpus.ts, tests/test_validate.py) holds both to the same reasons.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

Column = dict[str, Any]

# always matched with fullmatch and ASCII digits: Python's `$` also matches before a final "\\n" and
# its `\\d` takes any Unicode digit ("١٢")
_TIMESTAMP = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?(Z|[+-]([0-9]{2}):([0-9]{2}))")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_INT32 = (-(2**31), 2**31 - 1)
_SAFE_INTEGER = 2**53 - 1
MAX_ISSUES = 20
# lake-core's MAX_RECORD_DEPTH: deeper records are rejected whole (Python's parser and Spark's stop near 1,000)
MAX_RECORD_DEPTH = 64
_TOO_DEEP = f"$: nested deeper than {MAX_RECORD_DEPTH} levels"
# longer integer literals become doubles (JavaScript reads every number as one; Python refuses > 4,300 digits)
_LONGEST_EXACT_INT = 400


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return f"string {_js_stringify(value)}"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    return f"number {_js_number(value)}"


def _js_stringify(text: str) -> str:
    """JSON.stringify of the first 40 UTF-16 code units (+ "..."): non-ASCII kept, lone surrogates escaped."""
    units = text.encode("utf-16-le", "surrogatepass")
    if len(units) > 80:
        text = units[:80].decode("utf-16-le", "surrogatepass") + "..."
    out = json.dumps(text, ensure_ascii=False)
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m[0]):04x}", out)


def _js_number(value: int | float) -> str:
    """How JavaScript's String(n) prints a JSON number (a double: shortest digits, its exponent rules)."""
    if isinstance(value, int) and abs(value) <= _SAFE_INTEGER:
        return str(value)
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    shortest = repr(value)
    if "e" not in shortest:
        # plain notation (Python uses it for exponents -4..15, inside JavaScript's -6..20): the same digits,
        # without Python's ".0" on integral values; the common case, validation calls this for every decimal
        return shortest[:-2] if shortest.endswith(".0") else shortest
    sign = "-" if value < 0 else ""
    # repr gives the shortest round-trip digits, as JavaScript does; n is ECMAScript's decimal exponent
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k = len(digits)
    n = k + int(exponent)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    body = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{body}e{'+' if e >= 0 else '-'}{abs(e)}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _valid_date(text: str) -> bool:
    m = _DATE.fullmatch(text)
    if not m:
        return False
    try:
        date(int(m[1]), int(m[2]), int(m[3]))  # years 1..9999, like lake-core
    except ValueError:
        return False
    return True


def _valid_timestamp(text: str) -> bool:
    m = _TIMESTAMP.fullmatch(text)
    if not m or not _valid_date(m[1]):
        return False
    zone = m[6] == "Z" or (int(m[7]) <= 23 and int(m[8]) <= 59)
    return int(m[2]) <= 23 and int(m[3]) <= 59 and int(m[4]) <= 59 and zone


def _decimal_problem(value: int | float | str, precision: int, scale: int) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number"
    text = value if isinstance(value, str) else _js_number(value)
    if not _DECIMAL.fullmatch(text):
        return "is not a decimal number"
    int_part, _, frac = text.lstrip("-").partition(".")
    if len(frac) > scale:
        return f"has {len(frac)} decimal places, at most {scale} allowed"
    int_digits = len(int_part.lstrip("0"))
    if int_digits > precision - scale:
        return f"has {int_digits} integer digits, at most {precision - scale} allowed"
    return None


@functools.lru_cache(maxsize=64)
def _js_pattern(pattern: str) -> re.Pattern[str]:
    """A contract pattern with JavaScript's semantics (no `u` flag): ASCII `\\d`/`\\w`, and `$` (outside a
    character class) only at the end of the text, which is Python's `\\Z`."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if ch == "[":
            in_class = True
        elif ch == "]":
            in_class = False
        out.append("\\Z" if ch == "$" and not in_class else ch)
        i += 1
    return re.compile("".join(out), re.ASCII)


def _integral(type_: dict[str, Any], value: Any) -> bool:
    """A JSON number like 1.0 or 2e0 where the contract says int/long: valid (JavaScript cannot tell them
    from 1 and 2), so the job stores it as the integer, never as a null from Spark's long parser."""
    return type_["kind"] in ("int", "long") and isinstance(value, float) and value.is_integer()


class _Checker:
    def __init__(self) -> None:
        self.issues: list[str] = []
        self.rewritten = False

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
            if _integral(column["type"], child):
                value[column["name"]], self.rewritten = int(child), True

    def value(self, column: Column, type_: dict[str, Any], value: Any, path: str) -> None:
        kind = type_["kind"]
        if kind == "string":
            if not isinstance(value, str):
                return self.add(path, f"expected string, got {_describe(value)}")
            if "enum" in column and value not in column["enum"]:
                return self.add(path, f"{_describe(value)} is not one of {', '.join(column['enum'])}")
            if "pattern" in column and not _js_pattern(column["pattern"]).search(value):
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
                    if _integral(type_["element"], element):
                        value[i], self.rewritten = int(element), True
        elif kind == "struct":
            self.columns(type_["fields"], value, path)
        else:
            raise ValueError(f"unknown column type kind {kind!r} at {path}")

    def bounds(self, column: Column, value: float, path: str) -> None:
        if "min" in column and value < column["min"]:
            self.add(path, f"{_js_number(value)} is below the minimum {_js_number(column['min'])}")
        elif "max" in column and value > column["max"]:
            self.add(path, f"{_js_number(value)} is above the maximum {_js_number(column['max'])}")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_int(text: str) -> int | float:
    return int(text) if len(text) <= _LONGEST_EXACT_INT else float(text)


def _too_deep(record: Any, line: str) -> bool:
    # a record's depth is at most the number of its objects and arrays, and each opens with a bracket
    # (brackets inside strings only raise the bound): most lines are shallow enough to skip the walk
    if line.count("{") + line.count("[") <= MAX_RECORD_DEPTH:
        return False
    stack = [(record, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > MAX_RECORD_DEPTH:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False


Checker = Callable[[str], "tuple[str | None, str]"]


def line_checker(columns: list[Column]) -> Checker:
    """Returns a function: raw JSON line -> (None, text for Spark's JSON reader) when valid, else (the
    reason, issues joined by '; ', the line). The text is the line itself unless integral numbers
    written as floats sat where the contract says int/long: then it is the record re-serialised."""

    def check(line: str) -> tuple[str | None, str]:
        try:
            record = json.loads(line, parse_constant=_reject_constant, parse_int=_parse_int)
        except RecursionError:
            return _TOO_DEEP, line
        except ValueError as err:
            return f"$: malformed JSON: {err}", line
        if _too_deep(record, line):
            return _TOO_DEEP, line
        checker = _Checker()
        checker.columns(columns, record, "")
        if checker.issues:
            return "; ".join(checker.issues), line
        return None, json.dumps(record, ensure_ascii=False) if checker.rewritten else line

    return check


def line_validator(columns: list[Column]) -> Callable[[str], str | None]:
    """Returns a function: raw JSON line -> None when valid, else the reason."""
    check = line_checker(columns)
    return lambda line: check(line)[0]
