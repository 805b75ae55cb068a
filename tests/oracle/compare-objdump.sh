#!/bin/sh
# Local check, not run by CI (CI has no MCST binutils): assembles each source with
# MCST's GNU as and with e2k-as, and compares `objdump -dr` of the two objects (and,
# linked by MCST ld and by e2k-ld, `objdump -d` and the program headers).
#
# usage: BINUTILS=/path/to/bin [CPU=elbrus-v4] tests/oracle/compare-objdump.sh [FILE...]
#   BINUTILS holds e2k-linux-gnu-{as,ld,objdump,readelf,objcopy}; the default sources
#   are benches/kernels/*.s and tests/programs/*.s (the latter after lib/prelude.s);
#   other files (lcc's .S output, say) are assembled alone, for CPU (gas's -mcpu).
# Prints one line per source (same / differs: N lines / gas rejects / ours rejects,
# and whether the .text bytes are identical) and the counts; the diffs are kept under
# target/oracle/.
set -u
cd "$(dirname "$0")/../.."
B=${BINUTILS:?set BINUTILS to the directory of e2k-linux-gnu-as and friends}
P=$B/e2k-linux-gnu-
CPU=${CPU:-elbrus-v4}
ISET=v${CPU#elbrus-v}
cargo build --quiet --bin e2k-as --bin e2k-ld || exit 1
OURS=target/debug
OUT=target/oracle
mkdir -p "$OUT"
if [ $# -eq 0 ]; then
    set -- benches/kernels/*.s tests/programs/*.s
fi
textsame=0 same=0 differ=0 gasno=0 oursno=0 linksame=0 linkdiffer=0
for f in "$@"; do
    n=$(basename "$f"); n=${n%.[sS]}
    case $f in
        tests/programs/*) srcs="tests/programs/lib/prelude.s $f" ;;
        *) srcs=$f ;;
    esac
    # shellcheck disable=SC2086
    if ! "${P}as" -mcpu="$CPU" -o "$OUT/$n.gas.o" $srcs 2> "$OUT/$n.gas.err"; then
        echo "$f: gas rejects: $(head -1 "$OUT/$n.gas.err")"
        gasno=$((gasno + 1))
        continue
    fi
    # shellcheck disable=SC2086
    if ! "$OURS/e2k-as" --iset "$ISET" -o "$OUT/$n.ours.o" $srcs 2> "$OUT/$n.ours.err"; then
        echo "$f: ours rejects: $(head -1 "$OUT/$n.ours.err")"
        oursno=$((oursno + 1))
        continue
    fi
    for w in gas ours; do
        "${P}objdump" -dr "$OUT/$n.$w.o" | tail -n +3 > "$OUT/$n.$w.dr"
    done
    for w in gas ours; do
        "${P}objcopy" -O binary -j .text "$OUT/$n.$w.o" "$OUT/$n.$w.text"
    done
    if cmp -s "$OUT/$n.gas.text" "$OUT/$n.ours.text"; then
        text="text bytes identical"
        textsame=$((textsame + 1))
    else
        text="text bytes differ"
    fi
    if diff -u "$OUT/$n.gas.dr" "$OUT/$n.ours.dr" > "$OUT/$n.diff"; then
        echo "$f: same ($text)"
        same=$((same + 1))
    else
        echo "$f: differs: $(grep -c '^[-+][^-+]' "$OUT/$n.diff") lines ($text)"
        differ=$((differ + 1))
    fi
    # The same gas object linked by both linkers.
    if "${P}ld" -static -o "$OUT/$n.gas.exe" "$OUT/$n.gas.o" 2> /dev/null &&
        "$OURS/e2k-ld" -static -o "$OUT/$n.ours.exe" "$OUT/$n.gas.o" 2> /dev/null; then
        for w in gas ours; do
            { "${P}objdump" -d "$OUT/$n.$w.exe" | tail -n +3
              "${P}readelf" -lh "$OUT/$n.$w.exe" | grep -E 'Entry|LOAD|0x0'; } > "$OUT/$n.$w.ld"
        done
        if diff -u "$OUT/$n.gas.ld" "$OUT/$n.ours.ld" > "$OUT/$n.ld.diff"; then
            linksame=$((linksame + 1))
        else
            linkdiffer=$((linkdiffer + 1))
        fi
    fi
done
echo "objects: $same same, $differ differ, $gasno rejected by gas, $oursno rejected by e2k-as; .text bytes identical in $textsame"
echo "gas objects linked: $linksame the same as MCST ld's, $linkdiffer differ"
