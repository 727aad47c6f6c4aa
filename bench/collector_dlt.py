"""dlt's REST API source reading the demo API into its filesystem destination (gzip JSONL), the
peer measurement for bench/collector-bench.ts. Prints one JSON line of figures.
   python bench/collector_dlt.py <api-url> <out-dir> <page-size>
"""
import glob
import gzip
import json
import resource
import sys
import time

import dlt
from dlt.sources.rest_api import rest_api_source


def main(api_url: str, out_dir: str, page_size: int) -> None:
    source = rest_api_source(
        {
            "client": {
                "base_url": api_url,
                "paginator": {"type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"},
            },
            "resources": [
                {
                    "name": "invoices",
                    "endpoint": {"path": "cursor/invoices", "params": {"limit": page_size}, "data_selector": "data"},
                    "write_disposition": "append",
                }
            ],
        }
    )
    pipeline = dlt.pipeline(
        pipeline_name="bench_collector_peer",
        pipelines_dir=f"{out_dir}/.dlt",
        destination=dlt.destinations.filesystem(bucket_url=f"file://{out_dir}/lake"),
        dataset_name="demo",
    )
    started = time.perf_counter()
    pipeline.run(source, loader_file_format="jsonl")
    seconds = time.perf_counter() - started
    ids, records = set(), 0
    for path in glob.glob(f"{out_dir}/lake/demo/invoices/*"):
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            for line in f:
                if line.strip():
                    records += 1
                    ids.add(json.loads(line)["invoice_id"])
    print(
        json.dumps(
            {
                "tool": f"dlt {dlt.__version__} rest_api_source -> filesystem (jsonl)",
                "records": records,
                "unique": len(ids),
                "seconds": round(seconds, 2),
                "recordsPerSecond": round(records / seconds),
                "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "note": "extract + normalize + load; normalizes nested items into a child table, so it does more work per record than the collector",
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
