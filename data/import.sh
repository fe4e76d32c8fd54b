#!/usr/bin/env bash
# Runs `ember import ...` (dev.ember.cli.ImportCommand) from this checkout: compiles the project and
# resolves its runtime classpath with Maven (offline first, then online), then passes all arguments on.
# Example: data/import.sh idx train-images-idx3-ubyte.gz out/train --labels train-labels-idx1-ubyte.gz
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cp_file="$repo/target/import-classpath.txt"
mvn_args=(-q -B -f "$repo/pom.xml" compile dependency:build-classpath
          -DincludeScope=runtime -Dmdep.outputFile="$cp_file")
mvn -o "${mvn_args[@]}" >/dev/null 2>&1 || mvn "${mvn_args[@]}"
exec java -cp "$repo/target/classes:$(cat "$cp_file")" dev.ember.cli.ImportCommand "$@"
