#!/usr/bin/env python3
"""Local check, not run by CI (CI has no MCST binutils): disassembles E2K ELF files with
MCST's `objdump -d` and with `e2k-dis`, and counts the wide instructions printed alike.

usage: BINUTILS=/path/to/bin tests/oracle/compare-dis.py [-v] FILE...

Wide instructions are matched by address; one counts as the same when every line of it
(the address line with its bytes, then each operation) is identical. Prints one line per
file, the total share, and the objdump lines most often missing from ours (by mnemonic), so the next operation to describe is visible.
-v also prints the first few differing instructions of each file.
"""
import collections
import os
import re
import subprocess
import sys

ADDR = re.compile(r"^ +([0-9a-f]+):(\t|$)")


def blocks(text):
    """Address -> list of lines of one wide instruction (address line first)."""
    out, cur, key = {}, None, None
    for line in text.splitlines():
        line = line.rstrip()
        m = ADDR.match(line)
        if m:
            key = int(m.group(1), 16)
            cur = out.setdefault(key, [line])
            continue
        if not line or line.endswith(">:") or line.startswith("Disassembly of"):
            cur = None
            continue
        if cur is not None:
            cur.append(line)
    return out


def shape(line):
    """An operation's mnemonic without channel and operands: `faddd`, `ipd`."""
    return line.strip().split(" ")[0].split(",")[0]


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    files = [a for a in args if a != "-v"]
    binutils = os.environ.get("BINUTILS")
    if not binutils or not files:
        sys.exit(__doc__)
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    ours_bin = os.path.join(root, "target", "release", "e2k-dis")
    subprocess.run(["cargo", "build", "--quiet", "--release", "--bin", "e2k-dis"],
                   cwd=root, check=True)
    objdump = os.path.join(binutils, "e2k-linux-gnu-objdump")
    total = same = 0
    missing = collections.Counter()
    for f in files:
        ref = subprocess.run([objdump, "-d", f], capture_output=True, text=True)
        ours = subprocess.run([ours_bin, f], capture_output=True, text=True)
        if ref.returncode != 0:
            print(f"{f}: objdump fails: {ref.stderr.strip().splitlines()[0]}")
            continue
        if ours.returncode != 0:
            print(f"{f}: e2k-dis fails: {ours.stderr.strip()}")
        rb, ob = blocks(ref.stdout), blocks(ours.stdout)
        n = s = 0
        shown = 0
        for addr, lines in rb.items():
            n += 1
            got = ob.get(addr)
            if got == lines:
                s += 1
                continue
            have = set(got or [])
            for line in lines[1:]:
                if line not in have:
                    missing[shape(line)] += 1
            if verbose and shown < 5:
                shown += 1
                print("  objdump:\n    " + "\n    ".join(lines))
                print("  e2k-dis:\n    " + "\n    ".join(got or ["(none)"]))
        total += n
        same += s
        pct = 100.0 * s / n if n else 100.0
        print(f"{f}: {s}/{n} wide instructions the same ({pct:.2f}%)")
    if total:
        print(f"total: {same}/{total} ({100.0 * same / total:.3f}%) in {len(files)} files")
    for op, count in missing.most_common(40):
        print(f"  {count:8d}  {op}")


if __name__ == "__main__":
    main()
