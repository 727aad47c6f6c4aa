"""Bad records, duplicate versions and bad inputs: what is kept, what is quarantined, what fails."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import pytest
from conftest import add_run, base_config, read_parts

from lake_job.errors import BadRecordRatioExceeded, JobError
from lake_job.job import run


def quarantined(workdir: Path, job_run_id: str) -> list[dict]:
    prefix = workdir / "curated" / "_quarantine" / "nfe_invoice" / f"job_run={job_run_id}"
    return [json.loads(line) for f in sorted(prefix.glob("*.json.gz")) for line in gzip.decompress(f.read_bytes()).splitlines()]


def bad_lines(good: dict) -> list[str]:
    wrong_type = {**good, "invoice_id": "9" * 44, "number": "12"}
    missing_key = {k: v for k, v in good.items() if k != "issuer"} | {"invoice_id": "8" * 44}
    return ['{"invoice_id": "1", ', json.dumps(wrong_type), json.dumps(missing_key), "[1, 2]"]


def test_bad_records_are_quarantined_with_reason_and_source_key_and_counted(spark, raw, tmp_path, contract):
    root, keys = raw
    good = read_parts(root, keys[0])[0]
    extra = {**good, "invoice_id": "7" * 44}
    bad_key = add_run(contract, root, "bad-run", "2026-01-05", [json.dumps(extra), *bad_lines(good)])
    report = run(spark, base_config(tmp_path, (keys[0], bad_key), job_run_id="q1"))

    records = quarantined(tmp_path, "q1")
    source_key = contract.path("rawObject", source="demo-api", ingest_date="2026-01-05", run_id="bad-run", part=0)
    assert [(r["source_key"], r["line"]) for r in records] == [(source_key, n) for n in (2, 3, 4, 5)]
    assert records[0]["reason"].startswith("$: malformed JSON")
    assert records[0]["raw"] == '{"invoice_id": "1", '
    assert records[1]["reason"] == 'number: expected integer, got string "12"'
    assert records[2]["reason"] == "issuer: required field is missing"
    assert records[3]["reason"] == "$: expected object, got array"
    assert all(r["job_run_id"] == "q1" for r in records)
    assert report.input["records"] == 505
    assert report.quarantine["records"] == 4
    assert report.quarantine["ratio"] == round(4 / 505, 6)
    assert sum(r["records"] for r in report.quarantine["top_reasons"]) == 4
    ids = {r.invoice_id for r in spark.read.parquet(str(tmp_path / "curated/nfe_invoice/invoices")).collect()}
    assert len(ids) == 501
    assert "7" * 44 in ids
    assert "9" * 44 not in ids
    assert "8" * 44 not in ids


def test_job_fails_above_the_bad_record_ratio_after_quarantining(spark, raw, tmp_path, contract):
    root, keys = raw
    bad_key = add_run(contract, root, "bad-run", "2026-01-05", bad_lines(read_parts(root, keys[0])[0]))
    with pytest.raises(BadRecordRatioExceeded, match=r"4 of 504 records \(0.79%\) failed validation"):
        run(spark, base_config(tmp_path, (keys[0], bad_key), job_run_id="q2", max_bad_record_ratio=0.005))
    assert len(quarantined(tmp_path, "q2")) == 4
    report = json.loads((tmp_path / "curated/_reports/nfe_invoice/job_run=q2/report.json").read_text())
    assert report["status"] == "failed"
    assert "BadRecordRatioExceeded" in report["error"]
    assert not (tmp_path / "curated" / "nfe_invoice").exists()


def test_latest_version_wins_by_event_time_then_ingest_order(spark, raw, tmp_path, contract):
    root, keys = raw
    base = read_parts(root, keys[0])
    newer, older, same_time, twice = (copy.deepcopy(base[i]) for i in (0, 1, 2, 3))
    newer.update(status="cancelled", updated_at="2026-02-01T00:00:00.000Z", items=newer["items"][:1])
    older.update(status="denied", updated_at="2025-12-31T23:00:00.000Z")
    same_time["operation_nature"] = "resent later"
    first, second = copy.deepcopy(twice), copy.deepcopy(twice)
    first["operation_nature"], second["operation_nature"] = "first line", "second line"
    later = add_run(contract, root, "later-run", "2026-01-09", [json.dumps(x) for x in (newer, older, same_time, first, second)])
    run(spark, base_config(tmp_path, (keys[0], later), job_run_id="d1"))

    invoices = {r.invoice_id: r for r in spark.read.parquet(str(tmp_path / "curated/nfe_invoice/invoices")).collect()}
    items = spark.read.parquet(str(tmp_path / "curated/nfe_invoice/invoice_items"))
    assert len(invoices) == len(base)
    assert invoices[newer["invoice_id"]].status == "cancelled"
    assert invoices[newer["invoice_id"]].items_count == 1
    assert items.where(items.invoice_id == newer["invoice_id"]).count() == 1
    assert invoices[older["invoice_id"]].status == base[1]["status"]
    assert invoices[older["invoice_id"]].run_id == "run-000000000"
    assert items.where(items.invoice_id == older["invoice_id"]).count() == len(base[1]["items"])
    assert invoices[same_time["invoice_id"]].operation_nature == "resent later"
    assert invoices[same_time["invoice_id"]].run_id == "later-run"
    assert invoices[twice["invoice_id"]].operation_nature == "second line"
    assert items.groupBy("invoice_id", "item_number").count().where("count > 1").count() == 0


def test_a_late_older_version_does_not_replace_the_stored_newer_one(spark, raw, tmp_path, contract):
    root, keys = raw
    base = read_parts(root, keys[0])
    newer = copy.deepcopy(base[0]) | {"status": "cancelled", "updated_at": "2026-02-01T00:00:00.000Z"}
    run(spark, base_config(tmp_path, (keys[0], add_run(contract, root, "r-new", "2026-01-09", [json.dumps(newer)])), job_run_id="a"))
    run(spark, base_config(tmp_path, (keys[0],), job_run_id="b"))  # replay of the original window
    invoices = spark.read.parquet(str(tmp_path / "curated/nfe_invoice/invoices"))
    assert invoices.where(invoices.invoice_id == newer["invoice_id"]).first().status == "cancelled"
    items = spark.read.parquet(str(tmp_path / "curated/nfe_invoice/invoice_items"))
    assert items.where(items.invoice_id == newer["invoice_id"]).first().run_id == "r-new"


def test_missing_manifest_part_and_foreign_dataset_fail_with_the_key(spark, raw, tmp_path, contract):
    root, keys = raw
    with pytest.raises(JobError, match=r"run manifest not found: .*/raw/_manifests/nope.json"):
        run(spark, base_config(tmp_path, ("_manifests/nope.json",)))
    manifest = json.loads((root / keys[0]).read_text())
    (root / manifest["parts"][1]["key"]).unlink()
    with pytest.raises(JobError, match=r"1 raw part\(s\) listed in the manifests are missing, e\.g\. .*part-000001\.jsonl\.gz"):
        run(spark, base_config(tmp_path, keys[:1]))
    (root / keys[1]).write_text(json.dumps(json.loads((root / keys[1]).read_text()) | {"dataset": "other"}))
    with pytest.raises(JobError, match=r"dataset 'other' is not the contract's 'nfe_invoice'"):
        run(spark, base_config(tmp_path, keys[1:2]))
    (root / keys[2]).write_text("{not json")
    with pytest.raises(JobError, match=r"run manifest .*run=run-000001000\.json is invalid: JSONDecodeError"):
        run(spark, base_config(tmp_path, keys[2:]))


def test_business_date_is_utc_and_integers_written_as_floats_are_stored_as_integers(spark, raw, tmp_path, contract):
    root, keys = raw
    base = read_parts(root, keys[0])[0]
    late_evening = base | {"invoice_id": "1" * 44, "issued_at": "2026-01-01T22:30:00-03:00"}
    nanos = base | {"invoice_id": "2" * 44, "issued_at": "2026-01-01T10:00:00.123456789Z"}
    # lake-core accepts 12.0 as an integer (JSON has one number type); Spark's long parser would not
    float_number = base | {"invoice_id": "3" * 44, "number": 12.0}
    key = add_run(contract, root, "tz-run", "2026-01-05", [json.dumps(x) for x in (late_evening, nanos, float_number)])
    report = run(spark, base_config(tmp_path, (key,), job_run_id="tz"))
    invoices = spark.read.parquet(str(tmp_path / "curated/nfe_invoice/invoices")).selectExpr(
        "invoice_id", "dt", "date_format(issued_at, 'yyyy-MM-dd HH:mm:ss.SSSSSS') AS issued", "number"
    )
    got = {r.invoice_id: (r.dt, r.issued, r.number) for r in invoices.collect()}
    assert got == {
        "1" * 44: ("2026-01-02", "2026-01-02 01:30:00.000000", base["number"]),
        "2" * 44: ("2026-01-01", "2026-01-01 10:00:00.123456", base["number"]),
        "3" * 44: (got["3" * 44][0], got["3" * 44][1], 12),
    }
    assert report.quarantine["records"] == 0
