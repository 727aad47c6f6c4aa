#!/usr/bin/env bash
# Policy gate: synthesise the prod-like (dev) environment and scan it with checkov.
# Every failed check must be accepted, per check and resource, by checkov/baseline.yaml (with its
# reason); gate.ts also fails on a baseline entry that accepts nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
lib="$(cd "$here/.." && pwd)"
checkov="$("$here/setup.sh")"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "checkov: synthesising config/lake.dev.json" >&2
(cd "$lib" && LAKE_CONFIG=config/lake.dev.json CDKTF_OUTDIR="$out/cdktf.out" npx tsx src/main.ts)
# checkov exits 1 on failed checks; the gate decides
"$checkov" --directory "$out/cdktf.out/stacks" --framework terraform_json --skip-download --quiet -o json > "$out/report.json" || [ $? -eq 1 ]
npx tsx "$here/gate.ts" "$out/report.json" "$here/baseline.yaml" --strict
