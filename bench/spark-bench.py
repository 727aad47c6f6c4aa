"""Spark job benchmark against a DuckDB peer: 1M generated invoices in 100 gzip NDJSON parts (+ one replayed
part, every key in it a second version, + injected bad records) through the packaged job under
spark-submit --master local[N], and through bench/spark_duckdb.py (the same rules in DuckDB, threads=N),
for N in --cores. Checks both wrote the same rows (EXCEPT ALL both ways on every curated and analytics
table), prints a table and saves bench/results/spark.json.
    tools/with-venv.sh python bench/spark-bench.py [--invoices 1000000] [--cores 1,2] [--driver-memory 6g]
Raw data is generated with lake-core's InvoiceGenerator (jobs/spark/tools/write-raw-fixture.ts) and
cached under the user cache, keyed by the arguments."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# the NF-e dataset's exported contract (format 2) the job runs with
CONTRACT = REPO / "examples/contracts/nfe_invoice.contract.json"  # exported by lake-core (npx nx run examples:export)
CACHE = Path(os.environ.get("LAKE_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nfe-lake")
DUCKDB_LOCK = REPO / "bench/requirements-duckdb.lock"
PEER = REPO / "bench/spark_duckdb.py"
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
    contract = json.loads(CONTRACT.read_text())
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


def add_replay_run(root: Path, keys: list[str]) -> str:
    """One later collector run re-delivering the first run's first part: every key in it has two
    versions with the same event time, and the later ingest must win (the dedupe tie-break)."""
    contract = json.loads(CONTRACT.read_text())
    first = json.loads((root / keys[0]).read_text())["parts"][0]
    values = {"source": "demo-api", "dataset": contract["name"], "ingest_date": "2026-02-01", "run_id": "bench-replay"}
    part_key = contract["layout"]["rawObject"].format(part=0, **values)
    (root / part_key).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / first["key"], root / part_key)
    manifest = {"version": 1, "source": "demo-api", "dataset": contract["name"], "runId": "bench-replay", "ingestDate": "2026-02-01",
                "records": first["records"], "bytes": first["bytes"], "parts": [first | {"key": part_key}]}  # fmt: skip
    manifest_key = contract["layout"]["manifest"].format(**values)
    (root / manifest_key).parent.mkdir(parents=True, exist_ok=True)
    (root / manifest_key).write_text(json.dumps(manifest))
    return manifest_key


def duckdb_python() -> str:
    """The peer's Python: a venv of bench/requirements-duckdb.lock under the project cache, keyed by the
    lock's hash and the Python version (like tools/with-venv.sh), built on first use."""
    base = os.environ.get("LAKE_BASE_PYTHON", "python3")
    version = subprocess.run([base, "-c", "import sys; print(sys.version_info[:2])"], check=True, capture_output=True, text=True).stdout
    digest = hashlib.sha256(DUCKDB_LOCK.read_bytes() + version.encode()).hexdigest()[:12]
    venv = CACHE / "venvs" / f"duckdb-{digest}"
    if (venv / "bin/python").exists():
        return str(venv / "bin/python")
    log(f"creating {venv} from bench/requirements-duckdb.lock (first run only)")
    (CACHE / "venvs").mkdir(parents=True, exist_ok=True)
    # built aside and renamed into place: an interrupted or concurrent first run never leaves a half-built venv at the key
    building = venv.with_name(f"{venv.name}.building-{os.getpid()}")
    try:
        subprocess.run([base, "-m", "venv", str(building)], check=True)
        subprocess.run([str(building / "bin/python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", str(DUCKDB_LOCK)], check=True)
        try:
            building.rename(venv)
        except OSError:
            if not (venv / "bin/python").exists():
                raise  # else a concurrent first run got there first
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return str(venv / "bin/python")


def output_files(root: Path) -> dict[str, int]:
    files = list(root.rglob("*.parquet"))
    return {"files": len(files), "bytes": sum(f.stat().st_size for f in files)}


def session_start_seconds(cores: int) -> float:
    """spark-submit of a script that only builds the SparkSession: seconds until it is ready (JVM, Python, session)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "session.py"
        script.write_text("import time\nfrom pyspark.sql import SparkSession\nSparkSession.builder.getOrCreate()\nprint(time.time())\n")
        started = time.time()
        out = subprocess.run(["spark-submit", "--master", f"local[{cores}]", "--conf", "spark.ui.enabled=false", str(script)],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
        return round(float(out.split()[-1]) - started, 1)


def run_job(a: argparse.Namespace, raw: Path, keys: list[str], dist: Path, out: Path, cores: int) -> tuple[float, dict]:
    submit = [
        "spark-submit", "--master", f"local[{cores}]", "--driver-memory", a.driver_memory, "--conf", "spark.ui.enabled=false",
        "--conf", "spark.sql.shuffle.partitions=16", "--py-files", str(dist / "lake_job.zip"), str(dist / "main.py"),
        "--contract", str(CONTRACT), "--raw-root", str(raw), "--curated-root", str(out / "curated"),
        "--analytics-root", str(out / "analytics"), "--job-run-id", "bench", "--compression", a.compression,
        "--table-format", "parquet", "--target-file-size-mb", a.target_file_size_mb, "--max-bad-record-ratio", "0.01",
        *[x for k in keys for x in ("--manifest-key", k)],
    ]  # fmt: skip
    log(f"running the job over {len(keys)} manifests, local[{cores}]")
    started = time.monotonic()
    done = subprocess.run(submit, check=False, cwd=REPO, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"job failed ({done.returncode}):\n{done.stderr[-4000:]}")
    dataset = json.loads(CONTRACT.read_text())["name"]
    return wall, json.loads((out / f"curated/_reports/{dataset}/job_run=bench/report.json").read_text())


def run_duckdb(python: str, raw: Path, keys: list[str], out: Path, threads: int) -> tuple[float, dict]:
    log(f"running the DuckDB script, threads={threads}")
    started = time.monotonic()
    done = subprocess.run([python, str(PEER), "run", "--contract", str(CONTRACT), "--raw-root", str(raw), "--out", str(out),
                           "--threads", str(threads), *[x for k in keys for x in ("--manifest-key", k)]],
                          check=False, capture_output=True, text=True)  # fmt: skip
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"DuckDB script failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return wall, json.loads(done.stdout)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--invoices", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--parts-per-run", type=int, default=10)
    p.add_argument("--bad-records", type=int, help="default: one per 1,000 invoices (the job's limit is 1%%)")
    p.add_argument("--cores", default="1,2", help="core counts to run both sides with: local[N] and DuckDB threads=N")
    p.add_argument("--driver-memory", default="6g")
    # the job takes every processing setting explicitly; these are the lake config's defaults
    p.add_argument("--compression", default="zstd")
    p.add_argument("--target-file-size-mb", default="256")
    a = p.parse_args()
    cores = sorted({int(c) for c in a.cores.split(",")})
    bad_records = a.bad_records if a.bad_records is not None else max(len(BAD_LINES), a.invoices // 1000)

    raw, keys = generate(a.invoices, a.runs, a.parts_per_run)
    keys += [add_replay_run(raw, keys), add_bad_run(raw, bad_records)]
    python = duckdb_python()
    work = CACHE / "bench" / "out"
    shutil.rmtree(work, ignore_errors=True)
    dist = work / "dist"
    subprocess.run([sys.executable, "jobs/spark/tools/package.py", "--out", str(dist)], cwd=REPO, check=True, capture_output=True)
    raw_bytes = sum(f.stat().st_size for f in raw.rglob("*.jsonl.gz"))
    runs: dict[int, dict] = {}
    report: dict = {}
    for n in reversed(cores):  # the most cores first: its outputs are the ones compared
        job_wall, report_n = run_job(a, raw, keys, dist, work / f"job-{n}", n)
        duck_wall, peer = run_duckdb(python, raw, keys, work / f"duckdb-{n}", n)
        records = report_n["input"]["records"]
        session_start = session_start_seconds(n)
        runs[n] = {
            "session_start_seconds": session_start,
            "job_wall_seconds": round(job_wall, 1),
            "duckdb_wall_seconds": round(duck_wall, 1),
            "ratio": round(job_wall / duck_wall, 2),
            # the job's wall without its JVM and session start (measured apart), against DuckDB's whole wall
            "ratio_without_session_start": round((job_wall - session_start) / duck_wall, 2),
            "job_records_per_second": round(records / job_wall),
            "duckdb_records_per_second": round(peer["input_records"] / duck_wall),
            "job_output": output_files(work / f"job-{n}" / "curated") | {"analytics": output_files(work / f"job-{n}" / "analytics")},
            "duckdb_output": output_files(work / f"duckdb-{n}" / "curated") | {"analytics": output_files(work / f"duckdb-{n}" / "analytics")},
            "job_stage_seconds": report_n["stage_seconds"],
            "duckdb_stage_seconds": peer["stage_seconds"],
            "bad_records": {"job": report_n["quarantine"]["records"], "duckdb": peer["bad_records"]},
        }
        report = report if report else report_n
    most = cores[-1]
    log("comparing the outputs (EXCEPT ALL both ways)")
    compared = json.loads(subprocess.run([python, str(PEER), "compare", "--contract", str(CONTRACT), "--left", str(work / f"job-{most}"),
                                          "--right", str(work / f"duckdb-{most}")], check=True, capture_output=True, text=True).stdout)  # fmt: skip
    identical = all(t["left_only"] == 0 and t["right_only"] == 0 for t in compared.values())
    identical = identical and runs[most]["bad_records"]["job"] == runs[most]["bad_records"]["duckdb"]
    result = {
        "invoices": a.invoices,
        "input_records": report["input"]["records"],
        "raw_parts": report["input"]["parts"],
        "raw_gzip_bytes": raw_bytes,
        "runs_by_cores": runs,
        "identical_outputs": identical,
        "compared_at_cores": most,
        "except_all": compared,
        "quarantine": report["quarantine"],
        "tables": {
            name: {k: t[k] for k in ("rows", "files", "bytes", "max_file_bytes", "min_file_bytes")} | {"partitions": len(t["partitions"])}
            for name, t in report["tables"].items()
        },
        "settings": {"driver_memory": a.driver_memory, "compression": a.compression, "target_file_size_mb": int(a.target_file_size_mb)},
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2)},
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = REPO / "bench" / "results" / "spark.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(table(result))
    log(f"saved {out}")
    if not identical:
        sys.exit("the job's and DuckDB's outputs differ: see except_all in the result")


def table(result: dict) -> str:
    rows = ["| cores | session start s | job s | DuckDB s | ratio | ratio without session start | job rows/s | DuckDB rows/s | job files / MB | DuckDB files / MB |",
            "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip

    def files(o: dict) -> str:
        return f"{o['files'] + o['analytics']['files']} / {(o['bytes'] + o['analytics']['bytes']) / 1e6:.1f}"

    for n, r in sorted(result["runs_by_cores"].items()):
        j, d = r["job_output"], r["duckdb_output"]
        rows.append(f"| {n} | {r['session_start_seconds']} | {r['job_wall_seconds']} | {r['duckdb_wall_seconds']} | {r['ratio']}x | {r['ratio_without_session_start']}x | "
                    f"{r['job_records_per_second']} | {r['duckdb_records_per_second']} | {files(j)} | {files(d)} |")  # fmt: skip
    rows += ["", "| cores | side | stage seconds |", "|---|---|---|"]
    for n, r in sorted(result["runs_by_cores"].items()):
        for side in ("job", "duckdb"):
            stages = ", ".join(f"{k} {v:.1f}" for k, v in r[f"{side}_stage_seconds"].items())
            rows.append(f"| {n} | {side} | {stages} |")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
