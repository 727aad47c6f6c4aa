"""Shared fixtures: one local SparkSession (local[2]) per test session, the two fixture contracts
(format 2) and raw data for each, generated once per session in the collector's layout."""

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
from generators import invoices, orders, write_run, write_runs
from pyspark.sql import SparkSession

from lake_job.config import JobConfig
from lake_job.contract import Contract, parse_contract

JOB_DIR = Path(__file__).resolve().parent.parent
REPO = JOB_DIR.parent.parent
# NF-e: the example's contract as lake-core exports it (examples/contracts, drift-tested there).
# Orders: a second shape owned by these tests, exported by lake-core from fixtures/shop_orders.contract.yaml
# (drift-tested in tools/test/job-fixtures.spec.ts; regenerate with `npx nx run spark:fixtures`).
CONTRACT = REPO / "examples" / "contracts" / "nfe_invoice.contract.json"
ORDERS_CONTRACT = JOB_DIR / "tests" / "fixtures" / "shop_orders.contract.json"


def npx_tsx(script: str, *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(["npx", "tsx", str(JOB_DIR / "tools" / script), *args], cwd=REPO, input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed ({done.returncode}): {done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def contract() -> Contract:
    return parse_contract(CONTRACT.read_text(), str(CONTRACT))


@pytest.fixture(scope="session")
def orders_contract() -> Contract:
    return parse_contract(ORDERS_CONTRACT.read_text(), str(ORDERS_CONTRACT))


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    # Python workers import the job package like spark-submit --py-files would provide it
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(JOB_DIR), os.environ.get("PYTHONPATH")]))
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("lake-job-tests")
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
def generated_raw(tmp_path_factory: pytest.TempPathFactory, contract: Contract) -> tuple[Path, tuple[str, ...]]:
    """Invoices: raw root and manifest keys, generated once per session (read-only: copy before mutating).
    1500 invoices 10 minutes apart (11 business dates), 3 collector runs of 2 parts each."""
    root = tmp_path_factory.mktemp("generated") / "raw"
    return root, write_runs(contract, root, invoices(1500), runs=3, parts_per_run=2)


@pytest.fixture(scope="session")
def generated_orders(tmp_path_factory: pytest.TempPathFactory, orders_contract: Contract) -> tuple[Path, tuple[str, ...]]:
    """Orders: 400 orders 15 minutes apart (5 business dates), 2 collector runs of 2 parts each (read-only)."""
    root = tmp_path_factory.mktemp("generated-orders") / "raw"
    return root, write_runs(orders_contract, root, orders(400), runs=2, parts_per_run=2)


@pytest.fixture
def raw(tmp_path: Path, generated_raw: tuple[Path, tuple[str, ...]]) -> tuple[Path, tuple[str, ...]]:
    """A private, mutable copy of the generated raw layer."""
    source, keys = generated_raw
    shutil.copytree(source, tmp_path / "raw")
    return tmp_path / "raw", keys


def base_config(workdir: Path, manifest_keys: tuple[str, ...], contract: Path = CONTRACT, **overrides: object) -> JobConfig:
    config = JobConfig(
        contract_uri=str(contract),
        raw_root=str(workdir / "raw"),
        curated_root=str(workdir / "curated"),
        analytics_root=str(workdir / "analytics"),
        job_run_id="test-run",
        manifest_keys=manifest_keys,
        table_format="parquet",
        compression="zstd",
        target_file_size_mb=128,
        max_bad_record_ratio=0.5,
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


def read_parts(raw_root: Path, manifest_key: str) -> list[dict]:
    manifest = json.loads((raw_root / manifest_key).read_text())
    return [json.loads(line) for part in manifest["parts"] for line in gzip.decompress((raw_root / part["key"]).read_bytes()).splitlines()]


def add_run(contract: Contract, raw_root: Path, run_id: str, ingest_date: str, lines: list[str]) -> str:
    """Writes one collector run of one raw part of `lines`; returns the manifest key."""
    return write_run(contract, raw_root, run_id, ingest_date, [lines])
