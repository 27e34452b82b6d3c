#!/usr/bin/env bash
# Quality benchmark (docs/results.md). Arguments go to the runner (see --help); --quick for a smoke run.
set -euo pipefail
source "$(dirname "$0")/build-classpath.sh" fashion-mnist weather sotu de-en sentiment
java -Xmx6g $opens -cp "$cp" org.metaadamw.bench.QualityBenchmark "$@"
