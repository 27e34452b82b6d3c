#!/usr/bin/env bash
# Per-epoch cost of the optimizers on the benchmark tasks, epochs interleaved (docs/benchmarks.md).
# Arguments go to the job (see --help).
set -euo pipefail
source "$(dirname "$0")/build-classpath.sh" fashion-mnist weather sotu de-en sentiment
java -Xmx6g $opens -cp "$cp" org.metaadamw.bench.TaskCostBenchmark "$@"
