"""The exported contract (format 2) as the job reads it: every rule it relies on fails with the path,
the value and the fix, and an analytics SQL whose output differs from the declared table fails the
run naming the table, before any data is read."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import CONTRACT, ORDERS_CONTRACT, REPO, add_run, base_config, read_parts

from lake_job.contract import parse_contract
from lake_job.errors import ContractError, JobError
from lake_job.job import run
from lake_job.stages.analytics import check_contract

Doc = dict[str, Any]


def mutated(path: Path, change: Callable[[Doc], None]) -> Doc:
    doc = json.loads(path.read_text())
    change(doc)
    return doc


def write(tmp_path: Path, doc: Doc) -> Path:
    out = tmp_path / "contract.json"
    out.write_text(json.dumps(doc))
    return out


def test_fixtures_parse_into_generic_tables(contract, orders_contract):
    assert [(t.name, t.source_kind) for t in orders_contract.tables.values()] == [
        ("orders", "record"), ("orders_lines", "explode"), ("orders_payments", "explode"),
        ("daily_sales_by_country", "sql"), ("payment_mix_daily", "sql"),
    ]  # fmt: skip
    assert orders_contract.table("orders").column_of("record", ("customer", "address", "country")) == "customer_address_country"
    assert orders_contract.table("orders_payments").column_of("position") == "position"
    assert contract.table("invoices").column_of("count", ("items",)) == "items_count"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format=1), "invalid contract format at .*: got 1; export the contract with lake-core (format 2)"),
        (
            lambda d: d["tables"]["invoice_items"]["source"].update(kind="record"),
            "invalid tables at .*: got 2 tables with source.kind record ['invoices', 'invoice_items']; expected exactly one",
        ),
        (
            lambda d: d["tables"]["invoice_items"]["source"].update(array=["issuer"]),
            "invalid tables.invoice_items.source.array at .*: got ['issuer'] of type struct<.*>; expected an array of structs",
        ),
        (
            lambda d: d["tables"]["invoices"]["source"]["columns"][8].update(path=["issuer", "cnpj"]),
            "invalid tables.invoices column 'issuer_document' path at .*: got ['issuer', 'cnpj']; ['issuer', 'cnpj'] is not a field",
        ),
        (
            lambda d: d["tables"]["invoices"]["source"]["columns"][0].update({"from": "column"}),
            "invalid tables.invoices.source.columns[0].from at .*: got 'column'; expected one of record, element, position, count, lineage",
        ),
        (
            lambda d: d["tables"]["invoices"]["source"]["columns"].reverse(),
            "invalid tables.invoices.source.columns at .*: got ['source_key', .*; expected the sparkSchema columns in order",
        ),
        (
            lambda d: d["tables"]["daily_revenue_by_state"]["source"].update(reads=["invoices", "items"]),
            "invalid tables.daily_revenue_by_state.source.reads at .*: got ['items']; expected curated tables (invoice_items, invoices)",
        ),
    ],
)
def test_contract_rules_fail_with_path_value_and_fix(change, message):
    with pytest.raises(ContractError, match=".*".join(re.escape(piece) for piece in message.split(".*"))):
        parse_contract(json.dumps(mutated(CONTRACT, change)), "nfe.json")


REVENUE_WITHOUT_CAST = "CAST(coalesce(sum(CASE WHEN status = 'authorized' THEN total_amount END), 0) AS DECIMAL(18,2)) AS revenue"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            REVENUE_WITHOUT_CAST,
            "coalesce(sum(CASE WHEN status = 'authorized' THEN total_amount END), 0) AS revenue",
            "invalid SQL output of analytics table daily_revenue_by_state: got column revenue is decimal(25,2), declared decimal(18,2); "
            "select exactly the declared columns plus dt, with CASTs to the declared types",
        ),
        (
            "AS tax,",
            "AS taxes, 'x' AS note,",
            "invalid SQL output of analytics table daily_revenue_by_state: got missing column tax decimal(18,2); "
            "unexpected column taxes decimal(18,2); unexpected column note string",
        ),
        ("FROM invoices", "FROM invoice_lines", "invalid SQL of analytics table daily_revenue_by_state (contract nfe_invoice): got "),
    ],
)
def test_analytics_sql_not_producing_the_declared_table_fails_the_run_before_reading(spark, tmp_path, old, new, message):
    def change(doc: Doc) -> None:
        source = doc["tables"]["daily_revenue_by_state"]["source"]
        assert old in source["sql"]
        source["sql"] = source["sql"].replace(old, new)

    config = base_config(tmp_path, ("_manifests/never-read.json",), contract=write(tmp_path, mutated(CONTRACT, change)), job_run_id="sql")
    with pytest.raises(ContractError, match=re.escape(message)):
        run(spark, config)
    report = json.loads((tmp_path / "curated/_reports/nfe_invoice/job_run=sql/report.json").read_text())
    assert report["status"] == "failed"
    assert "daily_revenue_by_state" in report["error"]
    assert "read" not in report["stage_seconds"]


def test_analytics_rows_outside_the_touched_partitions_fail_before_they_overwrite_one(spark, orders_contract, generated_orders, tmp_path):
    def shift(doc: Doc) -> None:
        source = doc["tables"]["payment_mix_daily"]["source"]
        source["sql"] = source["sql"].replace("amount, dt", "amount, CAST(date_add(dt, 1) AS STRING) AS dt")

    source, keys = generated_orders
    lines = [json.dumps(o) for o in read_parts(source, keys[0])[:20]]
    key = add_run(orders_contract, tmp_path / "raw", "few", "2026-01-01", lines)
    config = base_config(tmp_path, (key,), contract=write(tmp_path, mutated(ORDERS_CONTRACT, shift)), job_run_id="shift")
    with pytest.raises(JobError, match=r"invalid rows for table payment_mix_daily: got dt values \['2026-01-02'\] outside the partitions"):
        run(spark, config)
    assert not (tmp_path / "analytics" / "shop_orders" / "payment_mix_daily").exists()


@pytest.mark.parametrize("path", sorted((REPO / "examples" / "contracts").glob("*.contract.json")), ids=lambda p: p.name)
def test_every_example_contract_loads_and_its_analytics_sql_yields_the_declared_tables(spark, path):
    check_contract(spark, parse_contract(path.read_text(), str(path)))


@pytest.mark.parametrize("path", [CONTRACT, ORDERS_CONTRACT], ids=["nfe_invoice", "shop_orders"])
def test_raw_keys_sit_in_their_ingest_date_partition_with_the_run_in_the_file_name(path: Path) -> None:
    contract = parse_contract(path.read_text(), str(path))
    run_id = "20260105T000000Z-20260106T000000Z"
    key = contract.path("rawObject", source="demo-api", ingest_date="2026-01-05", run_id=run_id, part=3)
    assert key == f"demo-api/{contract.name}/ingest_date=2026-01-05/run={run_id}.part-000003.jsonl.gz"
    parsed = {"source": "demo-api", "dataset": contract.name, "ingest_date": "2026-01-05", "run_id": run_id, "part": "000003"}
    assert contract.parse_raw_key(key) == parsed
    # the layout before the raw table's location template matched the objects (a run= folder) is refused
    with pytest.raises(ContractError, match="not a raw object key"):
        contract.parse_raw_key(f"demo-api/{contract.name}/ingest_date=2026-01-05/run=r/part-000003.jsonl.gz")
