"""Each defect class of bad records that once reached curated, and of legal records that once broke a
run or its output: quarantined with a reason naming the field, or stored exactly."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import add_run, base_config, read_parts
from pyspark.sql import functions as F
from test_quarantine_dedupe import quarantined

from lake_job.errors import JobError
from lake_job.job import run


def _variant(good: dict, n: int, **changes: object) -> dict:
    record = copy.deepcopy(good)
    record["invoice_id"] = f"{n:044d}"
    record.update(changes)
    return record


def _with_item(good: dict, n: int, **item: object) -> dict:
    record = _variant(good, n)
    record["items"][0].update(item)
    return record


def _curated(spark, workdir: Path, table: str) -> list:
    return spark.read.parquet(str(workdir / "curated" / "nfe_invoice" / table)).collect()


def test_bad_records_never_reach_curated(spark, raw, tmp_path, contract):
    root, keys = raw
    good = next(r for r in read_parts(root, keys[0]) if len(r["items"]) >= 3)
    repeated = _variant(good, 11)
    repeated["items"][1]["item_number"] = repeated["items"][0]["item_number"]
    newer_invalid = {**good, "updated_at": "2099-01-01T00:00:00Z\n"}
    bad = {
        1: json.dumps(_variant(good, 1)).replace(f'"{1:044d}"', f'"{1:044d}\\n"'),
        2: json.dumps(_with_item(good, 2, cfop="5102\n")),
        3: json.dumps(_variant(good, 3, issuer={**good["issuer"], "document": "1" * 14 + "\n"})),
        4: json.dumps(_with_item(good, 4, quantity="1.5000\n")),
        5: json.dumps(_variant(good, 5, total_amount="\u0661\u0662.\u0665\u0660")),
        6: json.dumps(_variant(good, 6, total_tax=float("nan"))),  # json.dumps writes NaN
        7: json.dumps(_variant(good, 7, total_tax=float("-inf"))),
        8: json.dumps(_variant(good, 8, unknown="DEEP")).replace('"DEEP"', "[" * 3000 + "]" * 3000),
        9: json.dumps(repeated),
        10: json.dumps(newer_invalid),
    }
    floats = _with_item(good, 20)
    floats["items"][0]["item_number"], floats["items"][1]["item_number"] = 1.0, 2e0
    text = json.dumps(floats).replace('"item_number": 2.0', '"item_number": 2e0')
    assert '"item_number": 1.0' in text
    assert '"item_number": 2e0' in text
    bad_key = add_run(contract, root, "bad-run", "2026-01-05", [*bad.values(), text])
    report = run(spark, base_config(tmp_path, (keys[0], bad_key), job_run_id="b1"))

    reasons = {r["line"]: r["reason"] for r in quarantined(tmp_path, "b1")}
    assert reasons == {
        1: f'invoice_id: string "{"0" * 40}..." does not match ^[0-9]{{44}}$',
        2: 'items[0].cfop: string "5102\\n" does not match ^[0-9]{4}$',
        3: f'issuer.document: string "{"1" * 14}\\n" does not match ^[0-9]{{14}}$',
        4: 'items[0].quantity: string "1.5000\\n" is not a decimal number for decimal(15,4)',
        5: 'total_amount: string "\u0661\u0662.\u0665\u0660" is not a decimal number for decimal(15,2)',
        6: "$: malformed JSON: NaN is not JSON",
        7: "$: malformed JSON: -Infinity is not JSON",
        8: "$: nested deeper than 64 levels",
        9: "items: an element key (item_number) is repeated; each element is one row of invoice_items, keyed by it",
        10: 'updated_at: expected ISO 8601 timestamp with zone, got string "2099-01-01T00:00:00Z\\n"',
    }
    assert report.quarantine["records"] == 10
    invoices = {r.invoice_id: r for r in _curated(spark, tmp_path, "invoices")}
    assert not {f"{n:044d}" for n in bad} & set(invoices)
    assert invoices[good["invoice_id"]].updated_at.isoformat() != "2099-01-01T00:00:00"
    items = sorted(r.item_number for r in _curated(spark, tmp_path, "invoice_items") if r.invoice_id == f"{20:044d}")
    assert items == sorted({1, 2, *[i["item_number"] for i in floats["items"][2:]]})
    assert invoices[f"{20:044d}"].items_count == len(items)


def _timestamps(spark, workdir: Path, ids: list[str]) -> dict[str, tuple[str, str]]:
    frame = spark.read.parquet(str(workdir / "curated" / "nfe_invoice" / "invoices")).where(F.col("invoice_id").isin(ids))
    return {r[0]: (r[1], r[2]) for r in frame.selectExpr("invoice_id", "CAST(issued_at AS STRING)", "operation_nature").collect()}


def test_legal_records_are_stored_exactly_or_quarantined_naming_the_field(spark, raw, tmp_path, contract):
    root, keys = raw
    good = read_parts(root, keys[0])[0]
    ancient = _variant(good, 30, issued_at="1899-12-31T10:00:00Z")
    first_day = _variant(good, 31, issued_at="0001-01-01T00:00:00Z")
    year_10000 = _variant(good, 32, issued_at="9999-12-31T23:59:59-01:00")
    year_0 = _variant(good, 33, issued_at="0001-01-01T00:30:00+01:00")
    # two versions 100 ns apart: the newer one comes first, the older one is ingested later
    newer = _variant(good, 34, updated_at="2026-01-01T10:00:00.123456800Z", operation_nature="newer")
    older = {**newer, "updated_at": "2026-01-01T10:00:00.1234567Z", "operation_nature": "older"}
    lines = [json.dumps(r) for r in (ancient, first_day, year_10000, year_0, newer, older)]
    report = run(spark, base_config(tmp_path, (keys[0], add_run(contract, root, "legal", "2026-01-05", lines)), job_run_id="l1"))

    assert report.status == "succeeded"
    stored = _timestamps(spark, tmp_path, [f"{n:044d}" for n in (30, 31, 34)])
    assert stored[f"{30:044d}"][0] == "1899-12-31 10:00:00"
    assert stored[f"{31:044d}"][0] == "0001-01-01 00:00:00"
    assert stored[f"{34:044d}"][1] == "newer"
    reasons = {r["line"]: r["reason"] for r in quarantined(tmp_path, "l1")}
    partition = "has no yyyy-MM-dd partition (its UTC date is outside years 0001-9999); send the business date in that range"
    assert reasons == {3: f"issued_at: 9999-12-31T23:59:59-01:00 {partition}", 4: f"issued_at: 0001-01-01T00:30:00+01:00 {partition}"}


def test_a_decimal_sum_that_overflows_fails_the_run_naming_the_input_instead_of_writing_null(spark, raw, tmp_path, contract):
    root, keys = raw
    good = read_parts(root, keys[0])[0]
    # 1,001 x 13 integer digits: the daily revenue exceeds the 16 integer digits of decimal(18,2)
    huge = [json.dumps(_variant(good, 100 + n, status="authorized", total_amount="9999999999999.99")) for n in range(1001)]
    manifest = add_run(contract, root, "huge", "2026-01-05", huge)
    with pytest.raises(JobError, match=r"stage analytics failed for nfe_invoice.*" + manifest.replace(".", r"\.")) as failure:
        run(spark, base_config(tmp_path, (manifest,), job_run_id="o1"))
    assert "NUMERIC_VALUE_OUT_OF_RANGE" in str(failure.value)
    assert Decimal("9999999999999.99") * 1001 > Decimal(10) ** 16


def _rows(spark, root: Path, table: str) -> list[tuple]:
    frame = spark.read.parquet(str(root / "curated" / "nfe_invoice" / table))
    return sorted(tuple(r) for r in frame.select(*sorted(frame.columns)).drop("ingest_date", "run_id", "source_key").collect())


def test_a_key_lives_in_one_partition_and_nanoseconds_order_versions_across_runs(spark, raw, tmp_path, contract):
    root, keys = raw
    good = next(r for r in read_parts(root, keys[0]) if len(r["items"]) >= 2)
    alone = _variant(good, 40, issued_at="2025-06-01T12:00:00Z", updated_at="2026-01-01T00:00:00Z")
    shared = _variant(good, 41, issued_at="2025-06-01T13:00:00Z", updated_at="2026-01-01T00:00:00Z")
    newer = _variant(good, 42, updated_at="2026-01-01T10:00:00.123456800Z", operation_nature="newer")
    first = add_run(contract, root, "first", "2026-01-05", [json.dumps(r) for r in (alone, newer)])
    moved = {**alone, "issued_at": "2025-06-03T12:00:00Z", "updated_at": "2026-01-02T00:00:00Z", "items": alone["items"][:1]}
    older = {**newer, "updated_at": "2026-01-01T10:00:00.1234567Z", "operation_nature": "older"}
    second = add_run(contract, root, "second", "2026-01-06", [json.dumps(r) for r in (moved, older, shared)])

    one_by_one, all_at_once = tmp_path / "one", tmp_path / "all"
    for job_run_id, manifest in (("r1", first), ("r2", second)):
        run(spark, base_config(one_by_one, (manifest,), job_run_id=job_run_id, raw_root=str(root)))
    run(spark, base_config(all_at_once, (first, second), job_run_id="r1", raw_root=str(root)))

    for workdir in (one_by_one, all_at_once):
        invoices = _rows(spark, workdir, "invoices")
        by_id = {}
        frame = spark.read.parquet(str(workdir / "curated" / "nfe_invoice" / "invoices"))
        for r in frame.collect():
            assert r.invoice_id not in by_id, r.invoice_id
            by_id[r.invoice_id] = r
        assert by_id[f"{40:044d}"].dt == "2025-06-03"
        assert by_id[f"{41:044d}"].dt == "2025-06-01"
        assert by_id[f"{42:044d}"].operation_nature == "newer"
        items = spark.read.parquet(str(workdir / "curated" / "nfe_invoice" / "invoice_items")).where(f"invoice_id = '{40:044d}'")
        assert [(r.dt, r.item_number) for r in items.collect()] == [("2025-06-03", alone["items"][0]["item_number"])]
        assert len(invoices) == 3
    assert _rows(spark, one_by_one, "invoices") == _rows(spark, all_at_once, "invoices")
    assert _rows(spark, one_by_one, "invoice_items") == _rows(spark, all_at_once, "invoice_items")


def test_a_partition_left_without_rows_is_removed_from_every_table(spark, raw, tmp_path, contract):
    root, keys = raw
    good = read_parts(root, keys[0])[0]
    alone = _variant(good, 50, issued_at="2025-06-01T12:00:00Z", updated_at="2026-01-01T00:00:00Z")
    moved = {**alone, "issued_at": "2025-06-02T12:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}
    run(spark, base_config(tmp_path, (add_run(contract, root, "a", "2026-01-05", [json.dumps(alone)]),), job_run_id="e1"))
    assert (tmp_path / "curated" / "nfe_invoice" / "invoices" / "dt=2025-06-01").exists()
    run(spark, base_config(tmp_path, (add_run(contract, root, "b", "2026-01-06", [json.dumps(moved)]),), job_run_id="e2"))
    for table in ("nfe_invoice/invoices", "nfe_invoice/invoice_items", "nfe_invoice/_versions"):
        assert sorted(p.name for p in (tmp_path / "curated" / table).glob("dt=*")) == ["dt=2025-06-02"], table
    for table in ("daily_revenue_by_state", "top_products_daily"):
        assert sorted(p.name for p in (tmp_path / "analytics" / "nfe_invoice" / table).glob("dt=*")) == ["dt=2025-06-02"], table
