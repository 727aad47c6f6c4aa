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


def test_packaged_job_writes_delta_curated_tables_idempotently(spark, raw, tmp_path, contract):
    root, keys = raw
    expected = read_parts(root, keys[0])[:40]  # small: this test pays for its own JVM
    manifest_key = add_run(contract, root, "delta-run", "2026-01-01", [json.dumps(i) for i in expected])
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
    done = subprocess.run(submit, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert [json.loads(line)["status"] for line in done.stdout.splitlines() if line.startswith("{")] == ["succeeded", "succeeded"]

    invoices_dir = tmp_path / "curated" / "nfe_invoice" / "invoices"
    assert len(list((invoices_dir / "_delta_log").glob("*.json"))) == 2  # one commit per run
    invoices = spark.read.parquet(*map(str, live_files(invoices_dir)))
    assert invoices.count() == len(expected) == invoices.select("invoice_id").distinct().count()
    items = spark.read.parquet(*map(str, live_files(tmp_path / "curated" / "nfe_invoice" / "invoice_items")))
    assert items.count() == sum(len(i["items"]) for i in expected)

    report = json.loads((tmp_path / "curated" / "_reports" / "nfe_invoice" / "job_run=delta-1" / "report.json").read_text())
    assert report["config"]["table_format"] == "delta"
    assert report["tables"]["invoices"]["rows"] == len(expected)
    assert report["tables"]["invoices"]["files"] == len(live_files(invoices_dir))
    # analytics stay plain Parquet
    assert list((tmp_path / "analytics" / "nfe_invoice" / "daily_revenue_by_state").glob("dt=*/*.parquet"))
