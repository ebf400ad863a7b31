#!/usr/bin/env python3
"""Fails when an #include in src/ crosses the layering of DESIGN §2.

Layers, lowest first: core ← model ← mechanisms (technology, supply, demand, market, finance,
behaviour; none may include another) ← sim ← analysis ← io ← jobs ← apps. A file may include its own
module and modules of lower layers only. Usage: check_layering.py SRC_DIR
"""
import pathlib
import re
import sys

RANK = {"core": 0, "model": 1, "technology": 2, "supply": 2, "demand": 2, "market": 2,
        "finance": 2, "behaviour": 2, "sim": 3, "analysis": 4, "io": 5, "jobs": 6, "apps": 7}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]+"', re.M)


def main() -> int:
    src = pathlib.Path(sys.argv[1])
    problems = []
    checked = 0
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp") or not path.is_file():
            continue
        module = path.relative_to(src).parts[0]
        if module not in RANK:
            problems.append(f"{path}: file in unknown module '{module}'")
            continue
        checked += 1
        text = path.read_text(encoding="utf-8")
        for m in INCLUDE.finditer(text):
            target = m.group(1)
            line = text.count("\n", 0, m.start()) + 1
            if target not in RANK:
                problems.append(f"{path}:{line}: includes unknown module '{target}'")
            elif target != module and RANK[target] >= RANK[module]:
                problems.append(f"{path}:{line}: '{module}' (layer {RANK[module]}) may not include "
                                f"'{target}' (layer {RANK[target]}): dependencies point down only")
    for p in problems:
        print(p)
    print(f"checked {checked} files: {len(problems)} layering violation(s)")
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
