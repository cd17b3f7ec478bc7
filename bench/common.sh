# Shared by the benchmark scripts (sourced, not run): moves to the repository root, finds a JDK
# >= 25 ($java_bin), builds main and test classes and resolves the test classpath
# ($classpath_file) unless BENCH_SKIP_BUILD=1 (or bench_needs_classpath=0, set by a script that
# runs only the packaged launcher), and defines say() for progress on stderr.

home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$home"
out="target/bench"
stamp="$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"

say() { printf '[bench] %s\n' "$*" >&2; }

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

find_java() {
  local candidate major
  for candidate in "${JAVA_HOME:+$JAVA_HOME/bin/java}" /usr/lib/jvm/*/bin/java "$(command -v java 2>/dev/null || true)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major="$(java_major "$candidate" || true)"
    if [ -n "$major" ] && [ "${major%%.*}" -ge 25 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

java_bin="$(find_java)" || { echo "error: the benchmark needs a JDK 25 or newer; set JAVA_HOME to one" >&2; exit 1; }

classpath_file="$out/test-classpath.txt"
if [ "${bench_needs_classpath:-1}" = "0" ]; then
  return 0
fi
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  say "compiling main and test classes (./mvnw -B -q -DskipTests test-compile; JMH's code is generated here too)"
  ./mvnw -B -q -DskipTests test-compile
  if [ ! -s "$classpath_file" ] || [ pom.xml -nt "$classpath_file" ]; then
    say "resolving the test classpath (dependency:build-classpath)"
    ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file"
  fi
fi
[ -s "$classpath_file" ] || { echo "error: $classpath_file is missing; run without BENCH_SKIP_BUILD" >&2; exit 1; }
