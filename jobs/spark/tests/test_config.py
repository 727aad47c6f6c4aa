"""Job arguments: every invalid value is rejected with the flag and what is accepted."""

from __future__ import annotations

import pytest
from conftest import CONTRACT

from lake_job.cli import main
from lake_job.config import ConfigError, parse_args

ROOTS = ["--contract", "s3://a/c.json", "--raw-root", "s3://raw", "--curated-root", "s3://cur/", "--analytics-root", "s3://ana"]
SETTINGS = ["--table-format", "parquet", "--compression", "zstd", "--target-file-size-mb", "256", "--max-bad-record-ratio", "0.01"]
REQUIRED = [*ROOTS, *SETTINGS]


def test_parses_a_full_command_line():
    config = parse_args([*REQUIRED, "--job-run-id", "r1", "--manifest-key", "m1", "--manifest-key", "m2", "--table-format", "delta",
                         "--compression", "snappy", "--target-file-size-mb", "64", "--max-bad-record-ratio", "0.05",
                         "--catalog-mode", "register", "--glue-database", "lake"])  # fmt: skip
    assert config.manifest_keys == ("m1", "m2")
    assert config.curated_root == "s3://cur"
    assert (config.table_format, config.compression, config.target_file_size_mb) == ("delta", "snappy", 64.0)
    assert (config.max_bad_record_ratio, config.catalog_mode, config.glue_database) == (0.05, "register", "lake")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--manifest-key", "m"], "the following arguments are required: --job-run-id"),
        (["--job-run-id", "r1"], "--manifest-key: at least one run manifest key is required"),
        (["--job-run-id", "bad/id", "--manifest-key", "m"], "--job-run-id 'bad/id'"),
        (
            ["--job-run-id", "r", "--manifest-key", "m", "--table-format", "iceberg"],
            "--table-format 'iceberg': expected one of parquet, delta",
        ),
        (["--job-run-id", "r", "--manifest-key", "m", "--compression", "gzip"], "--compression 'gzip': expected one of zstd, snappy"),
        (["--job-run-id", "r", "--manifest-key", "m", "--target-file-size-mb", "0"], "--target-file-size-mb 0.0: must be > 0"),
        (["--job-run-id", "r", "--manifest-key", "m", "--max-bad-record-ratio", "1.5"], "--max-bad-record-ratio 1.5: must be within 0..1"),
        (
            ["--job-run-id", "r", "--manifest-key", "m", "--max-bad-record-ratio", "x"],
            "argument --max-bad-record-ratio: invalid float value",
        ),
        (["--job-run-id", "r", "--manifest-key", "m", "--catalog-mode", "register"], "--catalog-mode register needs --glue-database"),
    ],
)
def test_rejects_invalid_arguments_naming_the_flag(extra, message):
    with pytest.raises(ConfigError) as err:
        parse_args([*REQUIRED, *extra])
    assert message in str(err.value)


def test_the_processing_settings_have_no_second_set_of_defaults():
    with pytest.raises(ConfigError, match="required: --table-format, --compression, --target-file-size-mb, --max-bad-record-ratio"):
        parse_args([*ROOTS, "--job-run-id", "r", "--manifest-key", "m"])


def test_rejects_a_relative_root():
    args = [*REQUIRED, "--job-run-id", "r", "--manifest-key", "m"]
    args[args.index("--raw-root") + 1] = "raw"
    with pytest.raises(ConfigError, match="--raw-root 'raw': expected s3://<bucket>"):
        parse_args(args)


def test_cli_exit_codes_invalid_arguments_and_failed_run(spark, tmp_path, capsys):
    assert main([*REQUIRED, "--job-run-id", "r"]) == 2
    assert "--manifest-key: at least one run manifest key is required" in capsys.readouterr().err
    args = ["--contract", str(CONTRACT), "--raw-root", str(tmp_path / "raw"), "--curated-root", str(tmp_path / "cur"),
            "--analytics-root", str(tmp_path / "ana"), "--job-run-id", "r",
            "--manifest-key", "_manifests/none.json", *SETTINGS]  # fmt: skip
    assert main(args) == 1
    assert "run r failed: run manifest not found" in capsys.readouterr().err
