"""NF-e lake Spark job: raw gzip NDJSON -> curated Parquet tables -> analytics tables."""
