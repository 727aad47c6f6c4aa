#!/usr/bin/env bash
# Fallback for machines without Terraform or the hashicorp/aws 5.100.0 provider mirror:
# builds OpenTofu and the provider from the Go module proxy into the user cache.
#   tools/fallback-toolchain.sh
# Results: $CACHE/bin/tofu and a filesystem mirror at $CACHE/tf-plugins (found by tools/bootstrap.sh).
# Needs Go >= 1.24, ~6 GB disk and 20-40 minutes on 2 cores (the provider is a large build).
#
# The Go proxy does not serve terraform-provider-aws by its v5 tags (its go.mod lacks a /v5
# suffix), so the provider is fetched by the commit of tag v5.100.0, which you pass as
# LAKE_TF_AWS_PROVIDER_COMMIT (see https://github.com/hashicorp/terraform-provider-aws/releases/tag/v5.100.0).
# This path is not exercised by CI here (the machine image ships Terraform and the mirror).
set -euo pipefail
CACHE="${LAKE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nfe-lake}"
TOFU_VERSION="${LAKE_TOFU_VERSION:-v1.10.10}"
PROVIDER_VERSION=5.100.0
PLATFORM="$(go env GOOS)_$(go env GOARCH)"
command -v go >/dev/null || { echo "fallback: Go is required (https://go.dev/dl/)" >&2; exit 1; }
mkdir -p "$CACHE/bin"

if [ ! -x "$CACHE/bin/tofu" ]; then
  echo "fallback: building OpenTofu $TOFU_VERSION from the Go module proxy"
  GOBIN="$CACHE/bin" go install "github.com/opentofu/opentofu/cmd/tofu@$TOFU_VERSION"
fi
echo "fallback: tofu at $CACHE/bin/tofu ($("$CACHE/bin/tofu" version | head -n1))"

if [ -z "${LAKE_TF_AWS_PROVIDER_COMMIT:-}" ]; then
  echo "fallback: set LAKE_TF_AWS_PROVIDER_COMMIT to the commit of tag v$PROVIDER_VERSION to build the provider" >&2
  exit 1
fi
BUILD="$(mktemp -d)"
GOBIN="$BUILD" go install "github.com/hashicorp/terraform-provider-aws@$LAKE_TF_AWS_PROVIDER_COMMIT"
for registry in registry.terraform.io registry.opentofu.org; do
  DEST="$CACHE/tf-plugins/$registry/hashicorp/aws/$PROVIDER_VERSION/$PLATFORM"
  mkdir -p "$DEST"
  cp "$BUILD/terraform-provider-aws" "$DEST/terraform-provider-aws_v${PROVIDER_VERSION}_x5"
done
rm -rf "$BUILD"
echo "fallback: provider mirror at $CACHE/tf-plugins; re-run tools/bootstrap.sh"
