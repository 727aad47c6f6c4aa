"""A second shape end to end (shop orders): a nested struct two levels deep, two exploded arrays (one
keyed by an element field, one by position), an array of strings kept nested, a timestamp business
date; curated rows and analytics checked against an independent computation from the raw records."""

from __future__ import annotations

import copy
import gzip
import json
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ORDERS_CONTRACT, add_run, base_config, read_parts

from lake_job.job import run

CENTS = Decimal("0.01")


def config(workdir: Path, keys: tuple[str, ...], **overrides: object):
    return base_config(workdir, keys, contract=ORDERS_CONTRACT, **overrides)


def table_rows(spark, workdir: Path, layer: str, table: str) -> list:
    return spark.read.parquet(str(workdir / layer / "shop_orders" / table)).collect()


def everything(spark, workdir: Path, contract) -> dict[str, list[tuple]]:
    out = {}
    for table in contract.tables.values():
        frame = spark.read.parquet(str(workdir / table.layer / "shop_orders" / table.name))
        out[table.name] = sorted(tuple(map(str, r)) for r in frame.select(*sorted(frame.columns)).collect())
    return out


def money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENTS)


@pytest.fixture(scope="module")
def full(spark, generated_orders, tmp_path_factory):
    source, keys = generated_orders
    workdir = tmp_path_factory.mktemp("orders-full")
    shutil.copytree(source, workdir / "raw")
    records = [r for k in keys for r in read_parts(source, k)]
    return workdir, run(spark, config(workdir, keys)), records


def test_curated_tables_flatten_explode_and_keep_nested_as_the_contract_says(spark, orders_contract, full):
    workdir, report, records = full
    for table in orders_contract.tables_of("curated"):
        written = spark.read.parquet(str(workdir / "curated" / "shop_orders" / table.name))
        # nullability is Spark's (from_json makes every type nullable), types and order the contract's
        assert [(f.name, f.dataType.simpleString()) for f in written.schema.fields] == [
            *[(f.name, f.dataType.simpleString()) for f in table.schema.fields],
            ("dt", "string"),
        ]
    orders = {r.order_id: r for r in table_rows(spark, workdir, "curated", "orders")}
    assert len(orders) == len(records) == report.tables["orders"]["rows"]
    for record in records:
        row = orders[record["order_id"]]
        address = record["customer"]["address"] or {}
        assert (row.dt, row.status, row.customer_id, row.customer_name) == (
            record["ordered_at"][:10], record["status"], record["customer"]["id"], record["customer"]["name"],
        )  # fmt: skip
        assert (row.customer_address_city, row.customer_address_state, row.customer_address_country) == (
            address.get("city"), address.get("state"), address.get("country"),
        )  # fmt: skip
        assert row.tags == record["tags"]
        assert row.total == money(record["total"])
        assert (row.lines_count, row.payments_count) == (len(record["lines"]), len(record["payments"] or []))
        assert row.run_id.startswith("run-")
        assert row.source_key.startswith("demo-api/shop_orders/ingest_date=")

    lines = {
        (r.order_id, r.line_no): (r.sku, r.quantity, r.unit_price, r.dt) for r in table_rows(spark, workdir, "curated", "orders_lines")
    }
    assert lines == {
        (o["order_id"], line["line_no"]): (line["sku"], line["quantity"], money(line["unit_price"]), o["ordered_at"][:10])
        for o in records
        for line in o["lines"]
    }
    payments = {
        (r.order_id, r.position): (r.method, r.amount, r.paid_at is None) for r in table_rows(spark, workdir, "curated", "orders_payments")
    }
    assert payments == {
        (o["order_id"], n): (p["method"], money(p["amount"]), p["paid_at"] is None)
        for o in records
        for n, p in enumerate(o["payments"] or [], start=1)
    }
    assert report.tables["orders_payments"]["rows"] == len(payments) > 0


def test_analytics_sql_matches_an_independent_computation(spark, full):
    workdir, report, records = full
    sales: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0), 0])
    mix: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for o in records:
        day = o["ordered_at"][:10]
        acc = sales[(day, (o["customer"]["address"] or {}).get("country", "unknown"))]
        acc[0] += 1
        if o["status"] != "cancelled":
            acc[1] += money(o["total"])
            acc[2] += sum(line["quantity"] for line in o["lines"])
        for p in o["payments"] or []:
            mix[(day, p["method"])][0] += 1
            mix[(day, p["method"])][1] += money(p["amount"])
    got = {
        (r.dt, r.country): [r.order_count, r.revenue, r.units] for r in table_rows(spark, workdir, "analytics", "daily_sales_by_country")
    }
    assert got == {k: v for k, v in sales.items()}
    got = {(r.dt, r.method): [r.payment_count, r.amount] for r in table_rows(spark, workdir, "analytics", "payment_mix_daily")}
    assert got == {k: v for k, v in mix.items()}
    assert report.tables["daily_sales_by_country"]["partitions"] == sorted({o["ordered_at"][:10] for o in records})


def test_child_rows_follow_the_winning_version_and_bounds_quarantine(spark, orders_contract, generated_orders, tmp_path):
    source, keys = generated_orders
    shutil.copytree(source, tmp_path / "raw")
    base = read_parts(source, keys[0])
    with_payments = next(o for o in base if len(o["payments"] or []) == 2 and len(o["lines"]) > 1)
    newer = copy.deepcopy(with_payments) | {"updated_at": "2026-03-01T00:00:00.000Z", "payments": None, "status": "cancelled"}
    newer["lines"] = newer["lines"][-1:]
    older = copy.deepcopy(base[1]) | {"updated_at": "2025-01-01T00:00:00.000Z", "lines": [], "tags": ["stale"]}
    too_many = copy.deepcopy(base[2]) | {"order_id": "ORD-99999999"}
    too_many["lines"][0]["quantity"] = 1001
    later = add_run(orders_contract, tmp_path / "raw", "later", "2026-01-09", [json.dumps(x) for x in (newer, older, too_many)])
    report = run(spark, config(tmp_path, (keys[0], later), job_run_id="versions"))

    orders = {r.order_id: r for r in table_rows(spark, tmp_path, "curated", "orders")}
    assert (orders[newer["order_id"]].status, orders[newer["order_id"]].lines_count, orders[newer["order_id"]].payments_count) == (
        "cancelled", 1, 0,
    )  # fmt: skip
    assert orders[older["order_id"]].tags == base[1]["tags"]
    assert "ORD-99999999" not in orders
    lines = [(r.order_id, r.line_no) for r in table_rows(spark, tmp_path, "curated", "orders_lines")]
    assert [n for o, n in lines if o == newer["order_id"]] == [newer["lines"][0]["line_no"]]
    assert sorted(n for o, n in lines if o == older["order_id"]) == sorted(line["line_no"] for line in base[1]["lines"])
    payments = [r.order_id for r in table_rows(spark, tmp_path, "curated", "orders_payments")]
    assert newer["order_id"] not in payments

    prefix = tmp_path / "curated" / "_quarantine" / "shop_orders" / "job_run=versions"
    [bad] = [json.loads(x) for f in prefix.glob("*.json.gz") for x in gzip.decompress(f.read_bytes()).splitlines()]
    assert bad["reason"] == "lines[0].quantity: 1001 is above the maximum 1000"
    assert report.quarantine["records"] == 1


def test_windows_one_by_one_and_a_rerun_equal_one_run_of_everything(spark, orders_contract, full, generated_orders, tmp_path):
    full_dir, _, _ = full
    source, keys = generated_orders
    shutil.copytree(source, tmp_path / "raw")
    run(spark, config(tmp_path, keys[:1], job_run_id="w1"))
    run(spark, config(tmp_path, keys[1:], job_run_id="w2"))
    first = everything(spark, tmp_path, orders_contract)
    run(spark, config(tmp_path, keys[1:], job_run_id="w2"))
    assert everything(spark, tmp_path, orders_contract) == first == everything(spark, full_dir, orders_contract)
