#!/usr/bin/env bash
# Sourced by the job scripts: builds the library and the examples, fetches the named datasets, and sets
# $cp (the examples' full classpath) and $opens (the Java 17 flags Spark's driver needs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mvn -q install -DskipTests -Dmetaadamw.fetch.skip=true -Dmetaadamw.assembly.skip=true -pl spark-plugin,examples -am
examples/data/fetch-data.sh "$@" >/dev/null
cpfile=$(mktemp)
mvn -q -B -pl examples dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
cp="examples/target/classes:$(cat "$cpfile")"
rm -f "$cpfile"
opens=$(mvn -q -B -N help:evaluate -Dexpression=spark.java17.opens -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")
