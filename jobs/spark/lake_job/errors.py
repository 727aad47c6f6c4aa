"""The job's errors: each message names the input (manifest, key, table, contract field) at fault."""


class JobError(RuntimeError):
    """The run cannot proceed (exit code 1)."""


class ContractError(JobError):
    """The exported contract is missing something the job needs or contradicts itself."""


class BadRecordRatioExceeded(JobError):
    """More records failed validation than `--max-bad-record-ratio` allows."""
