#!/usr/bin/env bash
# Builds the transport double (target/transport-double.jar + target/lib) for the transport tests of every
# language. Its xsd/ is a copy of the spec's schemas: when the spec sits beside the repository, they must agree.
set -euo pipefail
cd "$(dirname "$0")"
spec=../../../shared/spec/xsd
if [ -d "$spec" ] && ! diff -rq "$spec" xsd >/dev/null; then
  echo "transport-double: xsd/ differs from $spec (copy it again: rm -r xsd && cp -r $spec xsd)" >&2
  exit 1
fi
# Three test parts (72, 80, 81) call this; mvn takes 3-9 s even when nothing changed, so it runs only when a
# source, the schemas or a pom is newer than the jar.
jar=target/transport-double.jar
if [ -f "$jar" ] && [ -d target/lib ] && [ -z "$(find src xsd pom.xml ../java/pom.xml -newer "$jar" -print -quit)" ]; then
  exit 0
fi
mvn -q -B -Dstyle.color=never package
