#!/usr/bin/env bash
# Run the Jazzer fuzz targets of the repository (JUnit @FuzzTest methods) in fuzzing mode, each for N seconds, and
# report what Jazzer/libFuzzer itself printed: executions, executions per second and crashes per target, then a
# total line. The last column is the 1-minute load average when the target started: on a shared machine exec/s
# follow it more than anything in the code.
#
#   fuzz/run.sh --list                       the targets (Class or Class#method, and their module)
#   fuzz/run.sh [--seconds N] [TARGET...]    fuzz the named targets (default: all) for N seconds each (default 60)
#   fuzz/run.sh --runs N [TARGET...]         fuzz each target for exactly N executions (no time limit unless
#                                            --seconds is given too: then whichever comes first)
#
# Options: --xmx SIZE   heap of the fuzzing JVM (default 1g; libFuzzer's own RSS limit is off under JUnit)
#          --offline/-o and --online: pass -o to Maven or not (default: offline)
#          FUZZ_JVM_OPTS in the environment: more options for the fuzzing JVM only (a JFR recording, say)
#
# How: `JAZZER_FUZZ=1 mvn test -pl MODULE -am -Dtest=CLASS#METHOD` puts jazzer-junit in fuzzing mode for that one
# fuzz test. jazzer-junit turns the annotation's maxDuration into -max_total_time and then appends the libFuzzer
# arguments found in the JUnit configuration parameters jazzer.internal.arg.1.. (arg.0 is argv[0]); libFuzzer keeps
# the last value of a flag, so -max_total_time given there overrides the annotation. Surefire hands -D properties
# to the forked JVM as system properties, which JUnit reads as configuration parameters.
# New corpus entries go to MODULE/.cifuzz-corpus/ (ignored by git); a crashing input is written by Jazzer into the
# test's Inputs directory under src/test/resources, where the next `mvn verify` replays it as a regression case.
# The full log of each run is MODULE/target/fuzz-TARGET.log.
set -u -o pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_EACH=
RUNS=
XMX=1g
OFFLINE=-o
LIST=0
TARGETS=()

usage()
{
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while [ $# -gt 0 ]; do
    case "$1" in
        --list) LIST=1 ;;
        --seconds) [ $# -ge 2 ] || { echo "fuzz/run.sh: --seconds needs a value" >&2; exit 2; }
            SECONDS_EACH="$2"; shift ;;
        --seconds=*) SECONDS_EACH="${1#--seconds=}" ;;
        --runs) [ $# -ge 2 ] || { echo "fuzz/run.sh: --runs needs a value" >&2; exit 2; }
            RUNS="$2"; shift ;;
        --runs=*) RUNS="${1#--runs=}" ;;
        --xmx) [ $# -ge 2 ] || { echo "fuzz/run.sh: --xmx needs a value" >&2; exit 2; }
            XMX="$2"; shift ;;
        --offline|-o) OFFLINE=-o ;;
        --online) OFFLINE= ;;
        -h|--help) usage 0 ;;
        -*) echo "fuzz/run.sh: unknown option $1" >&2; usage 2 ;;
        *) TARGETS+=("$1") ;;
    esac
    shift
done

case "$SECONDS_EACH" in
    '') ;;
    *[!0-9]*|0) echo "fuzz/run.sh: --seconds must be a positive whole number, not '$SECONDS_EACH'" >&2; exit 2 ;;
esac
# --runs alone means no time limit (libFuzzer's -max_total_time=0); neither option means 60 seconds
if [ -z "$SECONDS_EACH" ]; then
    if [ -n "$RUNS" ]; then SECONDS_EACH=0; else SECONDS_EACH=60; fi
fi
case "$RUNS" in
    '') ;;
    *[!0-9]*|0) echo "fuzz/run.sh: --runs must be a positive whole number, not '$RUNS'" >&2; exit 2 ;;
esac

# Every @FuzzTest method: "module<TAB>Class<TAB>method".
discover()
{
    local f module cls
    for f in "$ROOT"/*/src/test/java; do
        [ -d "$f" ] || continue
        grep -rl --include='*.java' '@FuzzTest' "$f" | sort
    done | while read -r f; do
        module="${f#"$ROOT"/}"
        module="${module%%/*}"
        cls="$(basename "$f" .java)"
        # the method name follows the annotation, possibly on the next line
        awk '/@FuzzTest/ { want = 1 } want && match($0, /void[ \t]+[A-Za-z0-9_]+[ \t]*\(/) {
                 s = substr($0, RSTART, RLENGTH); sub(/void[ \t]+/, "", s); sub(/[ \t]*\(/, "", s); print s; want = 0 }' \
            "$f" | while read -r m; do printf '%s\t%s\t%s\n' "$module" "$cls" "$m"; done
    done
}

ALL="$(discover)"
if [ -z "$ALL" ]; then
    echo "fuzz/run.sh: no @FuzzTest found under $ROOT/*/src/test/java" >&2
    exit 1
fi

# The name of a target: Class, or Class#method when the class has several fuzz tests.
name_of()
{
    local cls="$1" m="$2" n
    n="$(printf '%s\n' "$ALL" | awk -F'\t' -v c="$cls" '$2 == c' | wc -l)"
    if [ "$n" -gt 1 ]; then printf '%s#%s' "$cls" "$m"; else printf '%s' "$cls"; fi
}

if [ "$LIST" = 1 ]; then
    printf '%s\n' "$ALL" | while IFS=$'\t' read -r module cls m; do
        printf '%-32s %s (%s#%s)\n' "$(name_of "$cls" "$m")" "$module" "$cls" "$m"
    done
    exit 0
fi

SELECTED=()
if [ ${#TARGETS[@]} -eq 0 ]; then
    while IFS=$'\t' read -r module cls m; do SELECTED+=("$module"$'\t'"$cls"$'\t'"$m"); done <<< "$ALL"
else
    for t in "${TARGETS[@]}"; do
        tc="${t%%#*}"
        tm=""
        [ "$tc" != "$t" ] && tm="${t#*#}"
        hits="$(printf '%s\n' "$ALL" | awk -F'\t' -v c="$tc" -v m="$tm" '$2 == c && (m == "" || $3 == m)')"
        if [ -z "$hits" ]; then
            echo "fuzz/run.sh: no fuzz target '$t' (see fuzz/run.sh --list)" >&2
            exit 2
        fi
        if [ "$(printf '%s\n' "$hits" | wc -l)" -gt 1 ]; then
            echo "fuzz/run.sh: '$t' has several fuzz tests; name one as Class#method (see --list)" >&2
            exit 2
        fi
        SELECTED+=("$hits")
    done
fi

# The harnesses themselves (the *FuzzTest classes and their helpers in the test packages named fuzz) are not
# instrumented: their loops over bytes ran through Jazzer's comparison hooks on every iteration and cost more than
# the code under test, and their branches only mirror the input's choices, which the code under test sees anyway.
# Jazzer's globs are prefixes only (foo.Bar, foo.*, foo.**): a harness package named ...fuzz is excluded whole, a
# fuzz test class elsewhere by its name and those of its nested classes.
harness_excludes()
{
    local f pkg cls out=""
    for f in "$ROOT"/*/src/test/java; do
        [ -d "$f" ] && grep -rl --include='*.java' '@FuzzTest' "$f"
    done | sort | while read -r f; do
        pkg="$(sed -n -E 's/^package[[:space:]]+([A-Za-z0-9_.]+);.*/\1/p' "$f" | head -1)"
        cls="$(basename "$f" .java)"
        case "$pkg" in
            *.fuzz) printf '%s\n' "$pkg.**" ;;
            *) printf '%s\n' "$pkg.$cls"
               sed -n -E 's/^[[:space:]]+([a-z]+[[:space:]]+)*(class|record|enum|interface)[[:space:]]+([A-Za-z0-9_]+).*/\3/p' \
                   "$f" | while read -r n; do printf '%s\n' "$pkg.$cls\$$n"; done ;;
        esac
    done | sort -u | paste -sd:
}
HARNESS_EXCLUDES="$(harness_excludes)"

command -v mvn > /dev/null || { echo "fuzz/run.sh: mvn not found" >&2; exit 1; }

printf '%-32s %14s %10s %8s %7s %s\n' target executions exec/s crashes seconds load
TOTAL_EXECS=0
TOTAL_CRASHES=0
TOTAL_SECONDS=0
FAILED=0
for sel in "${SELECTED[@]}"; do
    IFS=$'\t' read -r module cls m <<< "$sel"
    name="$(name_of "$cls" "$m")"
    log="$ROOT/$module/target/fuzz-${name//#/_}.log"
    mkdir -p "$ROOT/$module/target"
    # a crash input from an earlier run would be replayed first and stop the fuzzer: the Inputs directory is read
    # as seeds, which is what we want (a regression fixed stays fixed)
    start=$(date +%s)
    load="$(cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo -)"
    (cd "$ROOT" && JAZZER_FUZZ=1 mvn -B -q $OFFLINE test -pl "$module" -am \
        -Dtest="$cls#$m" -Dsurefire.failIfNoSpecifiedTests=false \
        -Djazzer.internal.arg.0=fuzz \
        -Djazzer.internal.arg.1=-max_total_time="$SECONDS_EACH" \
        -Djazzer.internal.arg.2=-print_final_stats=1 \
        ${RUNS:+-Djazzer.internal.arg.3=-runs="$RUNS"} \
        -Djazzer.instrumentation_excludes="$HARNESS_EXCLUDES" \
        -DargLine="-Xmx$XMX ${FUZZ_JVM_OPTS:-}") > "$log" 2>&1
    rc=$?
    elapsed=$(( $(date +%s) - start ))
    # libFuzzer's own figures: the final stats, else the last status line ("#N ... exec/s: X")
    execs="$(grep -a -o 'stat::number_of_executed_units:[[:space:]]*[0-9]*' "$log" | tail -1 | awk '{print $2}')"
    rate="$(grep -a -o 'stat::average_exec_per_sec:[[:space:]]*[0-9]*' "$log" | tail -1 | awk '{print $2}')"
    secs="$(grep -a -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1 | awk '{print $5}')"
    if [ -z "$execs" ]; then
        last="$(grep -a -E '^#[0-9]+[[:space:]]' "$log" | tail -1)"
        execs="$(printf '%s' "$last" | sed -E 's/^#([0-9]+).*/\1/')"
        rate="$(printf '%s' "$last" | grep -o 'exec/s: [0-9]*' | awk '{print $2}')"
    fi
    crashes="$(grep -a -c -E 'Test unit written to .*/(crash|timeout|oom|leak)-' "$log")"
    if [ -z "$execs" ]; then
        # no libFuzzer output at all: the build or the test setup failed
        printf '%-32s %14s %10s %8s %7s %s   (no fuzzer output, rc %d: see %s)\n' "$name" - - - "$elapsed" "$load" \
            "$rc" "$log"
        FAILED=$((FAILED + 1))
        continue
    fi
    [ -n "$rate" ] || rate=0
    [ -n "$secs" ] || secs="$SECONDS_EACH"
    note=""
    if [ "$crashes" -gt 0 ]; then
        note="   $(grep -a -o -E 'Test unit written to [^ ]*' "$log" | tail -1 | sed "s|Test unit written to $ROOT/||")"
    elif [ "$rc" -ne 0 ]; then
        note="   (rc $rc: see $log)"
        FAILED=$((FAILED + 1))
    fi
    printf '%-32s %14s %10s %8s %7s %s%s\n' "$name" "$execs" "$rate" "$crashes" "$secs" "$load" "$note"
    TOTAL_EXECS=$((TOTAL_EXECS + execs))
    TOTAL_CRASHES=$((TOTAL_CRASHES + crashes))
    TOTAL_SECONDS=$((TOTAL_SECONDS + secs))
done
TOTAL_RATE=0
[ "$TOTAL_SECONDS" -gt 0 ] && TOTAL_RATE=$((TOTAL_EXECS / TOTAL_SECONDS))
printf '%-32s %14s %10s %8s %s\n' "total (${#SELECTED[@]} targets)" "$TOTAL_EXECS" "$TOTAL_RATE" "$TOTAL_CRASHES" \
    "$TOTAL_SECONDS"
[ "$TOTAL_CRASHES" -eq 0 ] && [ "$FAILED" -eq 0 ]
