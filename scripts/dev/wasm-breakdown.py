"""Groups the items of a wasm file with a name section by Rust crate, from `twiggy top -f csv`.

Usage: twiggy top -n 1000000 -f csv FILE.wasm | python3 scripts/dev/wasm-breakdown.py
"""
import collections
import csv
import re
import sys

CRATE = re.compile(r"([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::")
sizes = collections.Counter()
total = 0
for row in csv.DictReader(sys.stdin):
    name, size = row["Name"], int(row["ShallowSize"])
    if name.startswith(("custom section", "Σ", "...")) or 'names" subsection' in name:
        continue
    total += size
    if name.startswith("data segment"):
        key = "(data: strings, tables)"
    elif "f64 as core" in name or "flt2dec" in name:
        key = "(float formatting)"
    else:
        match = CRATE.search(name)
        key = match.group(1) if match else "(exports and glue)"
    sizes[key] += size

print(f"{'crate':<28}{'bytes':>9}{'share':>8}")
for key, size in sizes.most_common(16):
    print(f"{key:<28}{size:>9}{100 * size / total:>7.1f}%")
print(f"{'total code and data':<28}{total:>9}")
