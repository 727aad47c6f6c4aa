"""The Python validator against the reference: lake-core's recordValidator, run on the same lines."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import REPO, npx_tsx, read_parts

from lake_job.record_rules import line_validator


def _set(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    *parents, last = path.split(".")
    node: Any = out
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return out


_DELETE = object()

MUTATIONS: list[tuple[str, Any]] = [
    ("invoice_id", _DELETE),
    ("invoice_id", None),
    ("invoice_id", "123"),
    ("invoice_id", 35260141885745767827550010000000011978764718),
    ("number", "12"),
    ("number", 1.5),
    ("number", 12.0),
    ("number", 0),
    ("number", 2**53),
    ("number", True),
    ("series", 2**31),
    ("model", "57"),
    ("status", "AUTHORIZED"),
    ("issued_at", "2026-01-01"),
    ("issued_at", "2026-01-01T00:00:00"),
    ("issued_at", "2026-01-01T10:00:00-03:00"),
    ("issued_at", "2026-01-01T10:00:00.123456789Z"),
    ("issued_at", 1767225600),
    ("updated_at", "yesterday"),
    ("operation_nature", None),
    ("operation_nature", 5),
    ("issuer", "Empresa"),
    ("issuer", _DELETE),
    ("issuer.state", "XX"),
    ("issuer.document", "123"),
    ("recipient", None),
    ("recipient.document", "12345678901"),
    ("recipient.document", "123456789012"),
    ("total_amount", "45799.57"),
    ("total_amount", "45799.579"),
    ("total_amount", 45799.579),
    ("total_amount", -1),
    ("total_amount", 12345678901234.5),
    ("total_amount", "1e5"),
    ("total_amount", {"value": 1}),
    ("total_tax", None),
    ("items", []),
    ("items", {}),
    ("items", None),
    ("items.0", None),
    ("items.0", "item"),
    ("items.0.item_number", 0),
    ("items.0.cfop", "51020"),
    ("items.0.quantity", "9.12345"),
    ("items.0.total_price", True),
    ("items.0.ncm", None),
    ("unknown_field", "allowed"),
]

# the mutations the contract allows (nullable fields, number forms, offsets, unknown fields)
ACCEPTED = [
    ("number", 12.0),
    ("issued_at", "2026-01-01T10:00:00-03:00"),
    ("issued_at", "2026-01-01T10:00:00.123456789Z"),
    ("operation_nature", None),
    ("recipient", None),
    ("recipient.document", "12345678901"),
    ("total_amount", "45799.57"),
    ("total_tax", None),
    ("items", []),
    ("items.0.ncm", None),
    ("unknown_field", "allowed"),
]

NOT_RECORDS = ["[]", "null", "42", '"text"', "{", '{"invoice_id": }', "", " "]


def test_python_validator_matches_lake_core_on_every_mutation(generated_raw, contract):
    raw_root, keys = generated_raw
    base = read_parts(raw_root, keys[0])[0]
    lines = [json.dumps(base)] + [json.dumps(_set(base, path, value)) for path, value in MUTATIONS]
    expected = [json.loads(r) for r in npx_tsx("validate-lines.ts", stdin="\n".join(lines) + "\n").splitlines()]
    validate = line_validator(contract.columns)
    assert len(expected) == len(lines)
    for line, reference in zip(lines, expected, strict=True):
        assert validate(line) == reference.get("reason"), line
    # the mutations really exercise the rules: all but the valid ones are rejected
    accepted = [MUTATIONS[i - 1] for i, r in enumerate(expected) if r["ok"] and i > 0]
    assert expected[0]["ok"]
    assert [m for m in accepted] == ACCEPTED


def test_non_records_and_malformed_json_are_rejected_with_a_reason(contract):
    validate = line_validator(contract.columns)
    for line in NOT_RECORDS:
        reason = validate(line)
        assert reason is not None, line
        assert reason.startswith("$: "), (line, reason)
    assert validate("[]") == "$: expected object, got array"
    assert validate("{").startswith("$: malformed JSON")


@pytest.mark.parametrize("dataset", ["nfe_invoice", "shop_orders"])
def test_the_conformance_corpus_gets_lake_cores_reasons(dataset):
    """tools/conformance-corpus.ts: cases at every depth of the example's contract (as exported), each
    built to be ok, rejected or malformed, lake-core's reasons (the script fails if lake-core disagrees
    with a case); the job's validator must give the same reasons (malformed JSON: the same verdict)."""
    exported = REPO / "examples" / "contracts" / f"{dataset}.contract.json"
    validate = line_validator(json.loads(exported.read_text())["columns"])
    corpus = [json.loads(r) for r in npx_tsx("conformance-corpus.ts", dataset).splitlines()]
    assert {c["expect"] for c in corpus} == {"ok", "rejected", "malformed"}
    differ = []
    for case in corpus:
        got, reference = validate(case["line"]), case.get("reason")
        same = got == reference or (case["expect"] == "malformed" and got is not None and got.startswith("$: malformed JSON: "))
        if not same:
            differ.append((case["line"][:120], reference, got))
    assert differ == []
