#!/usr/bin/env bash
# Builds this example against the installed imgclass artifacts and runs it: trains into
# target/run (once), evaluates on Fashion-MNIST's test set and classifies two sample images.
# Needs `mvn -B install -DskipTests` in the repository root first, and Fashion-MNIST
# (apt-get install dataset-fashion-mnist).
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q package
java -cp "target/classes:$(cat target/classpath.txt)" example.TrainAndClassify target/run \
  ../docs/samples/test0000-ankle-boot.png ../docs/samples/test0002-trouser.png
