"""Small file-system helpers over Hadoop's FileSystem, so the same code reads s3:// on EMR and
local paths in tests without a second client."""

from __future__ import annotations

from pyspark.sql import SparkSession


def _path(spark: SparkSession, uri: str):  # noqa: ANN202 - py4j objects are untyped
    jvm = spark.sparkContext._jvm
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def exists(spark: SparkSession, uri: str) -> bool:
    fs, path = _path(spark, uri)
    return bool(fs.exists(path))


def read_text(spark: SparkSession, uri: str) -> str:
    fs, path = _path(spark, uri)
    stream = fs.open(path)
    try:
        return str(spark.sparkContext._jvm.org.apache.commons.io.IOUtils.toString(stream, "UTF-8"))
    finally:
        stream.close()


def write_text(spark: SparkSession, uri: str, text: str) -> None:
    fs, path = _path(spark, uri)
    stream = fs.create(path, True)
    try:
        stream.write(bytearray(text.encode("utf-8")))
    finally:
        stream.close()


def file_size(spark: SparkSession, uri: str) -> int:
    fs, path = _path(spark, uri)
    return int(fs.getFileStatus(path).getLen())


def data_file_sizes(spark: SparkSession, uri: str, directories: list[str]) -> list[int]:
    """Sizes of the data files (hidden `_`/`.` files excluded) directly under the listed child
    directories of `uri`: one glob listing, no status call per file. [] when none exist."""
    if not directories:
        return []
    fs, path = _path(spark, f"{uri}/{{{','.join(directories)}}}/[!_.]*")
    statuses = fs.globStatus(path)
    return [] if statuses is None else [int(s.getLen()) for s in statuses if s.isFile()]


def delete(spark: SparkSession, uri: str) -> None:
    """Removes a directory and its contents (nothing when absent)."""
    fs, path = _path(spark, uri)
    fs.delete(path, True)
