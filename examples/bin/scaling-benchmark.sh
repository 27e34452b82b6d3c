#!/usr/bin/env bash
# Round cost against model size and workers (docs/benchmarks.md, "Scaling"). Arguments go to the job
# (see --help). local-cluster executors are separate JVMs started from a Spark home: the tests module's
# copy of Spark's own jars (built here if missing).
set -euo pipefail
source "$(dirname "$0")/build-classpath.sh" fashion-mnist
if [ ! -d tests/target/spark-home/jars ]; then
  mvn -q -pl tests process-test-resources -Dmetaadamw.fetch.skip=true >/dev/null
fi
export SPARK_HOME="$PWD/tests/target/spark-home" SPARK_SCALA_VERSION=2.12
java -Xmx8g $opens -cp "$cp" org.metaadamw.bench.ScalingBenchmark "$@"
