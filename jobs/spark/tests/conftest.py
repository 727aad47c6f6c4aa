"""Shared fixtures: one local SparkSession (local[2]) per test session, and raw data written by
lake-core's InvoiceGenerator through jobs/spark/tools/write-raw-fixture.ts (the collector's layout)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from nfe_lake_job.config import JobConfig
from nfe_lake_job.contract import Contract, parse_contract

JOB_DIR = Path(__file__).resolve().parent.parent
REPO = JOB_DIR.parent.parent
CONTRACT = JOB_DIR / "contracts" / "nfe_invoice.json"
# 1500 invoices, 10 minutes apart: ~10 business dates, 3 collector runs of 2 parts each
FIXTURE_ARGS = ["--invoices", "1500", "--runs", "3", "--parts-per-run", "2", "--spacing-seconds", "600"]


def npx_tsx(script: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(["npx", "tsx", str(JOB_DIR / "tools" / script), *args], cwd=REPO, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed ({done.returncode}): {done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def contract() -> Contract:
    return parse_contract(CONTRACT.read_text(), str(CONTRACT))


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    # Python workers import the job package like spark-submit --py-files would provide it
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(JOB_DIR), os.environ.get("PYTHONPATH")]))
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("nfe-lake-job-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
    )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def generated_raw(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[str, ...]]:
    """Raw root and manifest keys, generated once per session (read-only: copy before mutating)."""
    root = tmp_path_factory.mktemp("generated") / "raw"
    keys = tuple(npx_tsx("write-raw-fixture.ts", "--out", str(root), *FIXTURE_ARGS).split())
    return root, keys


@pytest.fixture
def raw(tmp_path: Path, generated_raw: tuple[Path, tuple[str, ...]]) -> tuple[Path, tuple[str, ...]]:
    """A private, mutable copy of the generated raw layer."""
    source, keys = generated_raw
    shutil.copytree(source, tmp_path / "raw")
    return tmp_path / "raw", keys


def base_config(workdir: Path, manifest_keys: tuple[str, ...], **overrides: object) -> JobConfig:
    config = JobConfig(
        contract_uri=str(CONTRACT),
        raw_root=str(workdir / "raw"),
        curated_root=str(workdir / "curated"),
        analytics_root=str(workdir / "analytics"),
        job_run_id="test-run",
        manifest_keys=manifest_keys,
        target_file_size_mb=128,
        max_bad_record_ratio=0.5,
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


def read_parts(raw_root: Path, manifest_key: str) -> list[dict]:
    manifest = json.loads((raw_root / manifest_key).read_text())
    return [json.loads(line) for part in manifest["parts"] for line in gzip.decompress((raw_root / part["key"]).read_bytes()).splitlines()]


def add_run(contract: Contract, raw_root: Path, run_id: str, ingest_date: str, lines: list[str]) -> str:
    """Writes one raw part of `lines` and its run manifest (as the collector would); returns the manifest key."""
    values = {"source": "demo-api", "ingest_date": ingest_date, "run_id": run_id}
    part_key = contract.path("rawObject", part=0, **values)  # type: ignore[arg-type]
    body = gzip.compress(("\n".join(lines) + "\n").encode())
    (raw_root / part_key).parent.mkdir(parents=True, exist_ok=True)
    (raw_root / part_key).write_bytes(body)
    manifest_key = contract.path("manifest", **values)
    manifest = {
        "version": 1, "source": "demo-api", "dataset": contract.name, "runId": run_id, "ingestDate": ingest_date,
        "startedAt": f"{ingest_date}T00:00:00Z", "completedAt": f"{ingest_date}T01:00:00Z", "records": len(lines),
        "invalidRecords": 0, "pages": 1, "bytes": len(body), "parts": [{"key": part_key, "records": len(lines), "bytes": len(body)}],
        "firstCursor": None, "lastCursor": None, "apiReportedTotal": None, "continuations": 0,
    }  # fmt: skip
    (raw_root / manifest_key).parent.mkdir(parents=True, exist_ok=True)
    (raw_root / manifest_key).write_text(json.dumps(manifest))
    return manifest_key
