#!/usr/bin/env bash
# Learning-rate sensitivity benchmark (docs/results.md, "Learning-rate sweep"): every optimizer at every
# base learning rate with every seed. Arguments go to the runner (see --help).
set -euo pipefail
source "$(dirname "$0")/build-classpath.sh" fashion-mnist weather sotu de-en sentiment
java -Xmx6g $opens -cp "$cp" org.metaadamw.bench.QualityBenchmark --sweep "$@"
