"""EMR step / spark-submit entry point; the package comes with `--py-files lake_job.zip`."""

import sys

from lake_job.cli import main

if __name__ == "__main__":
    sys.exit(main())
