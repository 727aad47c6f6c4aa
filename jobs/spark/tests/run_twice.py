"""spark-submit entry for test_package_delta.py: main.py's CLI, run twice in one session (a re-run);
then, when a `--then` separates a second argument list, once with that list (a later run)."""

import sys

from lake_job.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    first, then = (args[: args.index("--then")], args[args.index("--then") + 1 :]) if "--then" in args else (args, [])
    sys.exit(main(first) or main(first) or (main(then) if then else 0))
