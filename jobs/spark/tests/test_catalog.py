"""Partition registration for tables without partition projection, against moto server's Glue over HTTP."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from conftest import base_config

from lake_job.errors import JobError
from lake_job.job import run
from lake_job.stages.catalog import register_partitions


@pytest.fixture(scope="module")
def glue_endpoint() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(["moto_server", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.2)
    yield endpoint
    server.terminate()
    server.wait(10)


@pytest.fixture
def glue(glue_endpoint, monkeypatch):
    for key, value in {
        "AWS_ENDPOINT_URL": glue_endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("glue")
    client.create_database(DatabaseInput={"Name": "lake"})
    yield client
    client.delete_database(Name="lake")


def test_registers_written_partitions_once(glue, contract):
    glue.create_table(
        DatabaseName="lake",
        TableInput={
            "Name": "daily_revenue_by_state",
            "StorageDescriptor": {
                "Columns": [{"Name": "issuer_state", "Type": "string"}],
                "Location": "s3://ana/nfe_invoice/daily_revenue_by_state/",
            },
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
        },
    )
    config = base_config(Path("/tmp"), ("m",), catalog_mode="register", glue_database="lake")
    written = {"daily_revenue_by_state": ("s3://ana", ["2026-01-01", "2026-01-02"])}
    assert register_partitions(contract, config, written) == {"daily_revenue_by_state": 2}
    partitions = glue.get_partitions(DatabaseName="lake", TableName="daily_revenue_by_state")["Partitions"]
    assert sorted((p["Values"][0], p["StorageDescriptor"]["Location"]) for p in partitions) == [
        ("2026-01-01", "s3://ana/nfe_invoice/daily_revenue_by_state/dt=2026-01-01/"),
        ("2026-01-02", "s3://ana/nfe_invoice/daily_revenue_by_state/dt=2026-01-02/"),
    ]
    # a re-run registers nothing new and does not fail on the existing partitions
    written = {"daily_revenue_by_state": ("s3://ana", ["2026-01-02", "2026-01-03"])}
    assert register_partitions(contract, config, written) == {"daily_revenue_by_state": 1}
    glue.delete_table(DatabaseName="lake", Name="daily_revenue_by_state")


def test_missing_catalog_table_is_a_clear_error(glue, contract):
    config = base_config(Path("/tmp"), ("m",), catalog_mode="register", glue_database="lake")
    with pytest.raises(JobError, match=r"catalog registration: table lake\.invoices does not exist in Glue"):
        register_partitions(contract, config, {"invoices": ("s3://cur", ["2026-01-01"])})


def test_a_job_run_in_register_mode_adds_its_partitions(glue, spark, contract, raw, tmp_path):
    _, keys = raw
    for table in contract.tables.values():
        location = f"{tmp_path}/{table.layer}/nfe_invoice/{table.name}/"
        glue.create_table(
            DatabaseName="lake",
            TableInput={
                "Name": table.name,
                "StorageDescriptor": {"Location": location},
                "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            },
        )
    report = run(spark, base_config(tmp_path, keys[:1], catalog_mode="register", glue_database="lake"))
    for table in contract.tables.values():
        partitions = glue.get_partitions(DatabaseName="lake", TableName=table.name)["Partitions"]
        assert sorted(p["Values"][0] for p in partitions) == report.tables[table.name]["partitions"]
        assert report.catalog[table.name] == len(partitions) > 0
        glue.delete_table(DatabaseName="lake", Name=table.name)
