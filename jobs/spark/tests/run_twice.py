"""spark-submit entry for test_package_delta.py: main.py's CLI, run twice in one session (a re-run)."""

import sys

from lake_job.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) or main(sys.argv[1:]))
