#!/usr/bin/env bash
# L3RS on the benchmark tasks (docs/results.md, section 5): per task and base lr, meta-train φ by NES on
# Spark, then train with controller=l3rs and every seed. Arguments go to the job (see --help).
set -euo pipefail
source "$(dirname "$0")/build-classpath.sh" fashion-mnist weather sotu de-en sentiment
java -Xmx6g $opens -cp "$cp" org.metaadamw.bench.L3rsBenchmark "$@"
