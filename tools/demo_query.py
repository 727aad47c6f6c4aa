"""Reads an analytics table from S3 (s3a) and prints the top rows: the demo's stand-in for Athena."""

import sys

from pyspark.sql import SparkSession

spark = SparkSession.builder.master("local[2]").appName("nfe-lake-demo-query").getOrCreate()
spark.read.parquet(sys.argv[1]).createOrReplaceTempView("daily_revenue_by_state")
spark.sql(
    """
    SELECT dt, issuer_state, invoice_count, revenue
    FROM daily_revenue_by_state
    ORDER BY revenue DESC
    LIMIT 10
    """
).show(truncate=False)
spark.stop()
