"""Generic lake Spark job: raw gzip NDJSON -> curated tables -> analytics tables, driven by one dataset's exported contract."""
