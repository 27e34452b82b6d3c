#!/usr/bin/env bash
# Spark round-cost benchmark (docs/benchmarks.md). Arguments go to the job (see --help).
set -euo pipefail
source "$(dirname "$0")/build-classpath.sh" fashion-mnist
java -Xmx6g $opens -cp "$cp" org.metaadamw.bench.SparkRoundBenchmark "$@"
