#!/usr/bin/env bash
# README command 1: builds what it needs, fetches the data, runs MetaAdamW against AdamW on Spark (local
# mode unless --master is given) and prints the comparison table. Arguments go to the job (see --help).
set -euo pipefail
source "$(dirname "$0")/build-classpath.sh" fashion-mnist
java -Xmx6g $opens -cp "$cp" org.metaadamw.examples.MainJob "$@"
