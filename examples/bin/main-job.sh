#!/usr/bin/env bash
# README command 1: builds what it needs, fetches the data, runs MetaAdamW against AdamW and prints
# the comparison table. Extra arguments go to the job (see --help).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q install -DskipTests -Dmetaadamw.fetch.skip=true -pl spark-plugin,examples -am
examples/data/fetch-data.sh fashion-mnist >/dev/null
cpfile=$(mktemp); trap "rm -f $cpfile" EXIT
mvn -q -B -pl examples dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cpfile" >/dev/null
cp=$(cat "$cpfile")
opens=$(mvn -q -B -N help:evaluate -Dexpression=spark.java17.opens -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")
java -Xmx6g $opens -cp "examples/target/classes:$cp" org.metaadamw.examples.MainJob "$@"
