#!/usr/bin/env bash
# Sourced by tools/bootstrap.sh. `retry LOG CMD [ARG...]` runs CMD with its output in LOG, and again after
# each delay of LAKE_RETRY_DELAYS (seconds, default "15 45": three tries) while it fails: a registry's
# passing fault (a reset connection, a 5xx) must not fail a cold run. After the last failure it prints the end
# of LOG to stderr, so a CI log shows the cause and not only the log's path on a machine that is gone.
retry() {
  local log="$1"; shift
  local -a delays
  read -ra delays <<<"${LAKE_RETRY_DELAYS-15 45}"
  local try=1
  : >"$log"
  until "$@" >>"$log" 2>&1; do
    if [ "$try" -gt "${#delays[@]}" ]; then
      echo "retry: '$*' failed $try time(s); the end of $log:" >&2
      tail -n 25 "$log" | sed 's/^/  | /' >&2
      return 1
    fi
    echo "retry: '$*' failed (try $try), again in ${delays[$((try - 1))]}s" | tee -a "$log" >&2
    sleep "${delays[$((try - 1))]}"
    try=$((try + 1))
  done
}
