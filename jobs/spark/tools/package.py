"""Packages the job for EMR: main.py (the step's entry point) and lake_job.zip (--py-files), into
--out. The job is dataset-agnostic: each run gets its dataset's exported contract with --contract.
Zip entries get a fixed timestamp so a rebuild of the same sources is byte-identical (stable S3 ETags
for the infra upload)."""

from __future__ import annotations

import argparse
import shutil
import zipfile
from pathlib import Path

JOB = Path(__file__).resolve().parent.parent
PACKAGE = "lake_job"
FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def package(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"{PACKAGE}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for source in sorted((JOB / PACKAGE).rglob("*.py")):
            info = zipfile.ZipInfo(source.relative_to(JOB).as_posix(), FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, source.read_bytes())
    return [archive, Path(shutil.copyfile(JOB / "main.py", out / "main.py"))]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True, type=Path)
    for path in package(parser.parse_args().out):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
