#!/usr/bin/env bash
# Installs the Kafka broker the tests and bench/kafka run (one KRaft node on loopback, started by
# each test file): Java 17 and Maven from Debian when missing, then the broker's jars from Maven
# Central (.ci/kafka/pom.xml, `mvn dependency:copy-dependencies`) into
# ${XDG_CACHE_HOME:-$HOME/.cache}/infermon/kafka/<version>/libs (and ~/.m2). Idempotent: a warm
# cache is a no-op. Prints the libs directory on its last line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${INFERMON_KAFKA_VERSION:-$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/kafka/pom.xml")}"
libs="${XDG_CACHE_HOME:-$HOME/.cache}/infermon/kafka/$version/libs"

pkgs=()
java -version 2>&1 | grep -q 'version "\(1[7-9]\|2[0-9]\)' || pkgs+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || pkgs+=(maven)
if [ "${#pkgs[@]}" -gt 0 ]; then
  echo "installing: ${pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi

if [ ! -f "$libs/.complete" ]; then
  echo "resolving Kafka $version from Maven Central into $libs" >&2
  rm -rf "$libs.tmp"
  mvn -B -q -f "$here/kafka/pom.xml" -Dkafka.version="$version" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$libs.tmp" >&2
  ls "$libs.tmp"/kafka_2.13-"$version".jar >/dev/null
  rm -rf "$libs" && mv "$libs.tmp" "$libs"
  touch "$libs/.complete"
fi
echo "$libs"
