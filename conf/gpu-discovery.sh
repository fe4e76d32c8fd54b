#!/usr/bin/env bash
# Spark's GPU discovery script (spark.{worker,executor,driver}.resource.gpu.discoveryScript): prints
#   {"name":"gpu","addresses":["0","1"]}
# from EMBER_FAKE_GPUS when set (e.g. "0,1": tests on machines without GPUs), else from
# `nvidia-smi --query-gpu=index --format=csv,noheader`, else an empty address list.
set -u
ids=""
if [ -n "${EMBER_FAKE_GPUS:-}" ]; then
  ids=$EMBER_FAKE_GPUS
elif command -v nvidia-smi >/dev/null 2>&1; then
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | tr -d ' \r' | paste -sd, -)
fi
out=""
IFS=',' read -r -a arr <<< "$ids"
for a in "${arr[@]}"; do
  a=$(printf '%s' "$a" | tr -d '[:space:]')
  [ -n "$a" ] || continue
  out="${out:+$out,}\"$a\""
done
printf '{"name":"gpu","addresses":[%s]}\n' "$out"
