#!/usr/bin/env bash
# Installs the "Java (MetaAdamW)" Jupyter kernel (JShell in a JVM with Spark, the library and the
# examples on its class path). Builds the module, fetches Fashion-MNIST for the quick-start notebook,
# writes the kernelspec and hands it to `jupyter kernelspec install`.
#   notebooks/kernel/install.sh              # for this user (--user)
#   notebooks/kernel/install.sh --prefix P   # any option of jupyter kernelspec install
# Needs Jupyter: on Debian, apt-get install jupyter-nbconvert python3-nbclient jupyter-client python3-ipykernel
# (the notebook test installs these itself when it runs as root).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q install -DskipTests -Dmetaadamw.assembly.skip=true -pl notebooks/kernel -am
examples/data/fetch-data.sh fashion-mnist >/dev/null
cpfile=$(mktemp)
mvn -q -B -pl notebooks/kernel dependency:build-classpath -Dmdep.outputFile="$cpfile" >/dev/null
cp="$PWD/notebooks/kernel/target/classes:$(cat "$cpfile")"
rm -f "$cpfile"
opens=$(mvn -q -B -N help:evaluate -Dexpression=spark.java17.opens -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")
out=$(mktemp -d)
# shellcheck disable=SC2086 # the opens are separate JVM options
spec=$(java -cp "$cp" org.metaadamw.notebook.InstallKernel "$out" "$cp" $opens -Xmx4g \
  -Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=9G)
if [ $# -eq 0 ]; then set -- --user; fi
jupyter kernelspec install --replace --name metaadamw-java "$@" "$spec"
rm -rf "$out"
