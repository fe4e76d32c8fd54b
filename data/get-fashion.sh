#!/usr/bin/env bash
# Imports Fashion-MNIST (60,000 train / 10,000 test, 28x28 grey, 10 classes) into data/fashion/{train,test}
# from Debian's dataset-fashion-mnist package, installing it with apt-get if missing.
# data/fashion is git-ignored: it is derived data (about 30 MB), re-created by this script.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src=/usr/share/datasets/fashion-mnist

if [[ ! -f "$src/train-images-idx3-ubyte.gz" ]]; then
    sudo_cmd=()
    if [[ "$(id -u)" != 0 ]]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -q
    "${sudo_cmd[@]}" apt-get install -y -q dataset-fashion-mnist
fi

for split in train:train test:t10k; do
    name="${split%%:*}"
    prefix="${split##*:}"
    "$repo/data/import.sh" idx "$src/$prefix-images-idx3-ubyte.gz" "$repo/data/fashion/$name" \
        --labels "$src/$prefix-labels-idx1-ubyte.gz" --classes fashion-mnist --overwrite
done
