"""The job end to end on a local SparkSession, on raw data written by lake-core's generator."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import base_config, read_parts

from lake_job.errors import JobError
from lake_job.job import run
from lake_job.stages import write
from lake_job.stages.write import estimated_row_bytes

TABLES = ("invoices", "invoice_items", "daily_revenue_by_state", "top_products_daily")


def table_dir(workdir: Path, table: str) -> Path:
    layer = "analytics" if table in ("daily_revenue_by_state", "top_products_daily") else "curated"
    return workdir / layer / "nfe_invoice" / table


def rows(spark, workdir: Path, table: str) -> list[tuple]:
    frame = spark.read.parquet(str(table_dir(workdir, table)))
    return sorted((tuple(r) for r in frame.select(*sorted(frame.columns)).collect()), key=repr)


def data_files(workdir: Path, table: str) -> list[Path]:
    return sorted(p for p in table_dir(workdir, table).rglob("*.parquet"))


def report_of(workdir: Path, job_run_id: str) -> dict:
    return json.loads((workdir / "curated" / "_reports" / "nfe_invoice" / f"job_run={job_run_id}" / "report.json").read_text())


@pytest.fixture(scope="module")
def full(spark, generated_raw, tmp_path_factory):
    """All three generated runs processed by one job run."""
    source, keys = generated_raw
    workdir = tmp_path_factory.mktemp("full")
    shutil.copytree(source, workdir / "raw")
    config = base_config(workdir, keys)
    return workdir, run(spark, config), keys


def test_curated_tables_have_the_contract_schema_and_hive_layout(spark, contract, full):
    workdir, report, _ = full
    for name in TABLES:
        table = contract.table(name)
        written = spark.read.parquet(str(next(iter(data_files(workdir, name)))))
        assert [(f.name, f.dataType) for f in written.schema.fields] == [(f.name, f.dataType) for f in table.schema.fields]
        partitions = sorted(p.name for p in table_dir(workdir, name).iterdir() if p.is_dir())
        assert partitions == [f"dt={d}" for d in report.tables[name]["partitions"]]


def test_report_counts_every_record_and_every_file(spark, full, generated_raw):
    workdir, _report, keys = full
    raw_root, _ = generated_raw
    invoices = [r for k in keys for r in read_parts(raw_root, k)]
    on_disk = report_of(workdir, "test-run")
    assert on_disk["status"] == "succeeded"
    assert on_disk["input"] == {"parts": 6, "records": 1500, "manifest_records": 1500}
    assert on_disk["quarantine"]["records"] == 0
    dates = sorted({i["issued_at"][:10] for i in invoices})
    assert on_disk["tables"]["invoices"]["partitions"] == dates
    assert len(dates) == 11
    assert on_disk["tables"]["invoices"]["rows"] == 1500
    assert on_disk["tables"]["invoice_items"]["rows"] == sum(len(i["items"]) for i in invoices)
    for name in TABLES:
        files = data_files(workdir, name)
        assert on_disk["tables"][name]["files"] == len(files)
        assert on_disk["tables"][name]["bytes"] == sum(f.stat().st_size for f in files)


def test_default_target_size_writes_one_file_per_partition(full):
    workdir, _report, _ = full
    for name in TABLES:
        per_partition = Counter(f.parent.name for f in data_files(workdir, name))
        assert set(per_partition.values()) == {1}, (name, per_partition)


def test_small_target_size_splits_partitions_into_bounded_file_counts(spark, contract, raw, tmp_path):
    _root, keys = raw
    target_mb = 0.004
    report = run(spark, base_config(tmp_path, keys[:1], target_file_size_mb=target_mb))
    table = contract.table("invoices")
    per_dt = {r[0]: r[1] for r in spark.read.parquet(str(table_dir(tmp_path, "invoices"))).groupBy("dt").count().collect()}
    files = Counter(f.parent.name for f in data_files(tmp_path, "invoices"))
    for dt, n in per_dt.items():
        planned = math.ceil(n * estimated_row_bytes(table.schema) / (target_mb * 1024 * 1024))
        assert planned > 1
        # hash buckets: at most the planned count, never one file per row
        assert 1 < files[f"dt={dt}"] <= planned, (dt, n, files)
    assert report.tables["invoices"]["files"] == sum(files.values())


def test_analytics_match_an_independent_computation(spark, full, generated_raw):
    workdir, _, keys = full
    raw_root, _ = generated_raw
    invoices = [r for k in keys for r in read_parts(raw_root, k)]
    revenue: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0), 0])
    products: dict[tuple, dict] = defaultdict(lambda: {"q": Decimal(0), "rev": Decimal(0), "inv": set(), "desc": Counter()})
    for inv in invoices:
        key = (inv["issued_at"][:10], inv["issuer"]["state"])
        acc = revenue[key]
        if inv["status"] == "authorized":
            acc[0] += 1
            acc[1] += len(inv["items"])
            acc[2] += Decimal(str(inv["total_amount"]))
            acc[3] += Decimal(str(inv["total_tax"]))
            for item in inv["items"]:
                p = products[(key[0], item["product_code"])]
                p["q"] += Decimal(str(item["quantity"]))
                p["rev"] += Decimal(str(item["total_price"]))
                p["inv"].add(inv["invoice_id"])
                p["desc"][item["description"]] += 1
        elif inv["status"] == "cancelled":
            acc[4] += 1
    got = {(r.dt, r.issuer_state): [r.invoice_count, r.item_count, r.revenue, r.tax, r.cancelled_count]
           for r in spark.read.parquet(str(table_dir(workdir, "daily_revenue_by_state"))).collect()}  # fmt: skip
    assert got == {k: [v[0], v[1], v[2].quantize(Decimal("0.01")), v[3].quantize(Decimal("0.01")), v[4]] for k, v in revenue.items()}

    top = spark.read.parquet(str(table_dir(workdir, "top_products_daily")))
    by_day: dict[str, list] = defaultdict(list)
    for (day, code), p in products.items():
        by_day[day].append((-p["rev"], code, p))
    expected = {}
    for day, entries in by_day.items():
        for rank, (_, code, p) in enumerate(sorted(entries, key=lambda e: (e[0], e[1]))[:100], start=1):
            description = sorted(p["desc"].items(), key=lambda d: (-d[1], d[0]))[0][0]
            expected[(day, rank)] = (code, description, p["q"].quantize(Decimal("0.0001")), p["rev"], len(p["inv"]))
    assert {
        (r.dt, r.revenue_rank): (r.product_code, r.description, r.quantity, r.revenue, r.invoice_count) for r in top.collect()
    } == expected


def test_windows_processed_one_by_one_and_rerun_converge_to_the_same_rows(spark, full, raw, tmp_path):
    full_dir, _, _ = full
    _, keys = raw
    run(spark, base_config(tmp_path, keys[:2], job_run_id="window-1"))
    run(spark, base_config(tmp_path, keys[1:], job_run_id="window-2"))  # overlaps window 1 by one run
    first = {name: rows(spark, tmp_path, name) for name in TABLES}
    files = {name: len(data_files(tmp_path, name)) for name in TABLES}
    run(spark, base_config(tmp_path, keys[1:], job_run_id="window-2"))
    for name in TABLES:
        again = rows(spark, tmp_path, name)
        assert again == first[name], name
        assert len(data_files(tmp_path, name)) == files[name]
        # and the same rows (lineage included) as processing everything in one run
        assert again == rows(spark, full_dir, name), name


def test_a_failed_stage_names_the_root_cause_of_a_java_error(spark, raw, tmp_path, monkeypatch):
    # a Py4J error whose Spark class says only that a write failed; the innermost cause says why
    trace = (
        "An error occurred while calling o312.parquet.\n"
        ": org.apache.spark.SparkException: [TASK_WRITE_FAILED] Task failed while writing rows to "
        "s3a://curated/nfe_invoice/invoices.\n"
        "\tat org.apache.spark.sql.errors.QueryExecutionErrors$.taskFailedWhileWritingRowsError(QueryExecutionErrors.scala:774)\n"
        "Caused by: org.apache.hadoop.fs.s3a.AWSS3IOException: remove keys: One or more objects could not be deleted\n"
        "\tat org.apache.hadoop.fs.s3a.S3AFileSystem.removeKeys(S3AFileSystem.java:3121)\n"
        "Caused by: java.nio.file.AccessDeniedException: nfe_invoice/invoices/_temporary/: AccessDenied\n"
        "\t... 10 more\n"
    )

    def refused(ctx: object) -> None:
        raise RuntimeError(trace)

    monkeypatch.setattr(write, "run", refused)
    _, keys = raw
    with pytest.raises(JobError) as failure:
        run(spark, base_config(tmp_path, keys[:1], job_run_id="denied"))
    assert str(failure.value).endswith(
        "RuntimeError: [TASK_WRITE_FAILED] Task failed while writing rows to s3a://curated/nfe_invoice/invoices.; "
        "caused by java.nio.file.AccessDeniedException: nfe_invoice/invoices/_temporary/: AccessDenied"
    )
