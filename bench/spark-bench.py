"""Spark job benchmark: 1M generated invoices (+ injected bad records) through the packaged job under
spark-submit --master local[2], once. Prints and saves bench/results/spark.json.
    tools/with-venv.sh python bench/spark-bench.py [--invoices 1000000] [--driver-memory 6g]
Raw data is generated with lake-core's InvoiceGenerator (jobs/spark/tools/write-raw-fixture.ts) and
cached under the user cache, keyed by the arguments."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("LAKE_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nfe-lake")
BAD_LINES = ['{"invoice_id": "1", ', '{"invoice_id": "9", "number": "12"}', "[1, 2]", '{"number": 1}']


def log(message: str) -> None:
    print(f"[spark-bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def generate(invoices: int, runs: int, parts: int) -> tuple[Path, list[str]]:
    root = CACHE / "bench" / f"raw-{invoices}-{runs}x{parts}"
    keys_file = root / "manifest-keys.txt"
    if not keys_file.exists():
        log(f"generating {invoices} invoices into {root}")
        shutil.rmtree(root, ignore_errors=True)
        out = subprocess.run(
            ["npx", "tsx", "jobs/spark/tools/write-raw-fixture.ts", "--out", str(root), "--invoices", str(invoices),
             "--runs", str(runs), "--parts-per-run", str(parts)],
            cwd=REPO, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        keys_file.write_text(out)
    return root, keys_file.read_text().split()


def add_bad_run(root: Path, count: int) -> str:
    """One extra collector run of `count` bad records (malformed JSON, wrong types, missing keys)."""
    contract = json.loads((REPO / "jobs/spark/contracts/nfe_invoice.json").read_text())
    values = {"source": "demo-api", "dataset": contract["name"], "ingest_date": "2026-01-01", "run_id": "bench-bad"}
    part_key = contract["layout"]["rawObject"].format(part=0, **values)
    body = gzip.compress("\n".join(BAD_LINES[i % len(BAD_LINES)] for i in range(count)).encode() + b"\n")
    (root / part_key).parent.mkdir(parents=True, exist_ok=True)
    (root / part_key).write_bytes(body)
    manifest_key = contract["layout"]["manifest"].format(**values)
    manifest = {"version": 1, "source": "demo-api", "dataset": contract["name"], "runId": "bench-bad", "ingestDate": "2026-01-01",
                "records": count, "bytes": len(body), "parts": [{"key": part_key, "records": count, "bytes": len(body)}]}  # fmt: skip
    (root / manifest_key).parent.mkdir(parents=True, exist_ok=True)
    (root / manifest_key).write_text(json.dumps(manifest))
    return manifest_key


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--invoices", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--parts-per-run", type=int, default=10)
    p.add_argument("--bad-records", type=int, default=1000)
    p.add_argument("--driver-memory", default="6g")
    p.add_argument("--compression", default="zstd")
    a = p.parse_args()

    raw, keys = generate(a.invoices, a.runs, a.parts_per_run)
    keys.append(add_bad_run(raw, a.bad_records))
    work = CACHE / "bench" / "out"
    shutil.rmtree(work, ignore_errors=True)
    dist = work / "dist"
    subprocess.run([sys.executable, "jobs/spark/tools/package.py", "--out", str(dist)], cwd=REPO, check=True, capture_output=True)
    submit = [
        "spark-submit", "--master", "local[2]", "--driver-memory", a.driver_memory, "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.shuffle.partitions=16", "--py-files", str(dist / "nfe_lake_job.zip"), str(dist / "main.py"),
        "--contract", str(dist / "nfe_invoice.json"), "--raw-root", str(raw), "--curated-root", str(work / "curated"),
        "--analytics-root", str(work / "analytics"), "--job-run-id", "bench", "--compression", a.compression,
        *[x for k in keys for x in ("--manifest-key", k)],
    ]  # fmt: skip
    log(f"running the job over {len(keys)} manifests")
    started = time.monotonic()
    done = subprocess.run(submit, check=False, cwd=REPO, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"job failed ({done.returncode}):\n{done.stderr[-4000:]}")
    report = json.loads((work / "curated/_reports/nfe_invoice/job_run=bench/report.json").read_text())
    raw_bytes = sum(f.stat().st_size for f in raw.rglob("*.jsonl.gz"))
    result = {
        "invoices": a.invoices,
        "input_records": report["input"]["records"],
        "raw_gzip_bytes": raw_bytes,
        "job_wall_seconds": round(wall, 1),
        "records_per_second": round(report["input"]["records"] / wall),
        "stage_seconds": report["stage_seconds"],
        "quarantine": report["quarantine"],
        "tables": {
            name: {k: t[k] for k in ("rows", "files", "bytes", "max_file_bytes", "min_file_bytes")} | {"partitions": len(t["partitions"])}
            for name, t in report["tables"].items()
        },
        "settings": {"master": "local[2]", "driver_memory": a.driver_memory, "compression": a.compression, "target_file_size_mb": 128},
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = REPO / "bench" / "results" / "spark.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    log(f"saved {out}")


if __name__ == "__main__":
    main()
