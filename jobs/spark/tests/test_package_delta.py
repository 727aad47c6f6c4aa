"""The packaged job (tools/package.py output) under spark-submit, with the optional Delta format for
curated tables: Delta jars from Maven via --packages into the user's Ivy cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

from conftest import CONTRACT, JOB_DIR, add_run, read_parts
from pyspark.sql import functions as F

DELTA_PACKAGE = "io.delta:delta-spark_2.12:3.2.1"  # Delta 3.2 is built for Spark 3.5


def live_files(table: Path) -> list[Path]:
    """Data files of the latest Delta snapshot, replaying the JSON commit log."""
    live: set[str] = set()
    for commit in sorted((table / "_delta_log").glob("*.json")):
        for action in map(json.loads, commit.read_text().splitlines()):
            if "add" in action:
                live.add(unquote(action["add"]["path"]))
            if "remove" in action:
                live.discard(unquote(action["remove"]["path"]))
    return sorted(table / p for p in live)


def log_metadata(table: Path) -> dict:
    """The table's latest metaData action (schema, partition columns) from the JSON commit log."""
    actions = [a for c in sorted((table / "_delta_log").glob("*.json")) for a in map(json.loads, c.read_text().splitlines())]
    return [a["metaData"] for a in actions if "metaData" in a][-1]


def test_packaged_job_writes_delta_curated_tables_idempotently(spark, raw, tmp_path, contract):
    root, keys = raw
    expected = read_parts(root, keys[0])[:40]  # small: this test pays for its own JVM
    alone = {**expected[1], "invoice_id": "4" * 44, "issued_at": "2025-06-01T12:00:00Z"}  # the only row of its day
    manifest_key = add_run(contract, root, "delta-run", "2026-01-01", [json.dumps(i) for i in [*expected, alone]])
    # a later run moves two keys to other business dates: the old rows go, the day left empty goes
    moved = [{**r, "issued_at": "2025-06-03T12:00:00Z", "updated_at": "2026-02-01T00:00:00Z"} for r in (expected[0], alone)]
    later_key = add_run(contract, root, "delta-later", "2026-01-02", [json.dumps(r) for r in moved])
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, str(JOB_DIR / "tools" / "package.py"), "--out", str(dist)], check=True, capture_output=True)
    ivy = os.environ.get("LAKE_IVY_DIR", str(Path.home() / ".cache" / "nfe-lake" / "ivy"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the job must come from the zip
    submit = [
        "spark-submit", "--master", "local[2]", "--conf", "spark.ui.enabled=false", "--conf", "spark.sql.shuffle.partitions=2",
        "--conf", f"spark.jars.ivy={ivy}", "--packages", DELTA_PACKAGE, "--py-files", str(dist / "lake_job.zip"),
        str(JOB_DIR / "tests" / "run_twice.py"), "--contract", str(CONTRACT), "--raw-root", str(root),
        "--curated-root", str(tmp_path / "curated"), "--analytics-root", str(tmp_path / "analytics"),
        "--job-run-id", "delta-1", "--manifest-key", manifest_key, "--table-format", "delta",
        "--compression", "zstd", "--target-file-size-mb", "128", "--max-bad-record-ratio", "0.01",
    ]  # fmt: skip
    later = [
        later_key if a == manifest_key else "delta-2" if a == "delta-1" else a
        for a in submit[submit.index(str(JOB_DIR / "tests" / "run_twice.py")) + 1 :]
    ]
    submit += ["--then", *later]
    done = subprocess.run(submit, env=env, capture_output=True, text=True, timeout=2700)
    assert done.returncode == 0, done.stderr[-3000:]
    assert [json.loads(line)["status"] for line in done.stdout.splitlines() if line.startswith("{")] == ["succeeded"] * 3

    invoices_dir = tmp_path / "curated" / "nfe_invoice" / "invoices"
    # one commit per run, and the later run's DELETE of the emptied day
    assert len(list((invoices_dir / "_delta_log").glob("*.json"))) == 4
    # the business date is a date in the Delta log, as the Glue table declares it (Trino takes the type from the log)
    for table in ("invoices", "invoice_items"):
        metadata = log_metadata(tmp_path / "curated" / "nfe_invoice" / table)
        assert metadata["partitionColumns"] == ["dt"]
        assert [f["type"] for f in json.loads(metadata["schemaString"])["fields"] if f["name"] == "dt"] == ["date"]
    live = live_files(invoices_dir)
    assert not [f for f in live if "dt=2025-06-01" in str(f)]
    invoices = spark.read.parquet(*map(str, live))
    assert invoices.count() == len(expected) + 1 == invoices.select("invoice_id").distinct().count()
    assert {
        (r.invoice_id, r.issued_at.date().isoformat())
        for r in invoices.where(F.col("invoice_id").isin("4" * 44, expected[0]["invoice_id"])).collect()
    } == {
        ("4" * 44, "2025-06-03"),
        (expected[0]["invoice_id"], "2025-06-03"),
    }
    items = spark.read.parquet(*map(str, live_files(tmp_path / "curated" / "nfe_invoice" / "invoice_items")))
    assert items.count() == sum(len(i["items"]) for i in [*expected, alone])
    assert items.select("invoice_id").distinct().count() == len(expected) + 1

    report = json.loads((tmp_path / "curated" / "_reports" / "nfe_invoice" / "job_run=delta-1" / "report.json").read_text())
    assert report["config"]["table_format"] == "delta"
    assert report["tables"]["invoices"]["rows"] == len(expected) + 1
    later_report = json.loads((tmp_path / "curated" / "_reports" / "nfe_invoice" / "job_run=delta-2" / "report.json").read_text())
    written = later_report["tables"]["invoices"]["partitions"]
    assert "2025-06-01" not in written
    assert later_report["tables"]["invoices"]["files"] == len([f for f in live if any(f"dt={p}" in str(f) for p in written)])
    # analytics stay plain Parquet
    assert list((tmp_path / "analytics" / "nfe_invoice" / "daily_revenue_by_state").glob("dt=*/*.parquet"))
