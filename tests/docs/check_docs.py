#!/usr/bin/env python3
"""Fails when the docs drift from the code.

- docs/scenario.md must contain, between its GENERATED KEYS markers, exactly what
  `bubblesim schema --markdown` prints (regenerate with `make docs`).
- docs/outputs.md must name every column of timeseries.csv, firms.csv and events.csv (as
  `name`) in that file's own section (`## \`firms.csv\`` up to the next `## ` heading), the
  columns read from the header of a real run; every summary.json key; and every key of
  network.json (top level, a node, an edge) in its own section; and every table, view, column
  and meta key of a real results database (`mc --store-paths … --db`) in its section.
Usage: check_docs.py BUBBLESIM REPO_ROOT
"""
import json
import pathlib
import sqlite3
import tempfile
import subprocess
import sys

BEGIN = "<!-- BEGIN GENERATED KEYS -->"
END = "<!-- END GENERATED KEYS -->"


def level2_section(markdown: str, title: str):
    """The text under the level-2 heading `## <title>` up to the next level-2 heading, or None."""
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.strip() == f"## {title}":
            end = next((j for j in range(i + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
            return "\n".join(lines[i + 1:end])
    return None


def main() -> int:
    binary, root = sys.argv[1], pathlib.Path(sys.argv[2])
    problems = []
    generated = subprocess.run([binary, "schema", "--markdown"], check=True, capture_output=True, text=True).stdout
    scenario_md = (root / "docs" / "scenario.md").read_text(encoding="utf-8")
    if BEGIN not in scenario_md or END not in scenario_md:
        problems.append("docs/scenario.md lacks the GENERATED KEYS markers")
    else:
        current = scenario_md.split(BEGIN, 1)[1].split(END, 1)[0]
        if current.strip() != generated.strip():
            problems.append("docs/scenario.md key reference differs from `bubblesim schema --markdown`; run `make docs`")

    # Column names come from the real output, not from a copy of the list.
    header = subprocess.run([binary, "run", "--json"], check=True, capture_output=True, text=True)
    csv_files = ("timeseries.csv", "firms.csv", "events.csv")
    headers = {}
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([binary, "run", "--out", out], check=True, capture_output=True)
        for name in csv_files:
            path = pathlib.Path(out) / name
            if not path.exists():
                problems.append(f"`bubblesim run --out` did not write {name}")
                continue
            headers[name] = path.read_text().splitlines()[0].split(",")
        network_path = pathlib.Path(out) / "network.json"
        network = json.loads(network_path.read_text()) if network_path.exists() else None
        if network is None:
            problems.append("`bubblesim run --out` did not write network.json")
    outputs_md = (root / "docs" / "outputs.md").read_text(encoding="utf-8")
    for name in csv_files:
        section = level2_section(outputs_md, f"`{name}`")
        if section is None:
            problems.append(f"docs/outputs.md has no section '## `{name}`'")
            continue
        for c in headers.get(name, []):
            if f"`{c}`" not in section:
                problems.append(f"docs/outputs.md does not document {name} column `{c}` in its section")
    # network.json: its top-level keys and the keys of a node and an edge, in its own section.
    network_section = level2_section(outputs_md, "`network.json`")
    if network_section is None:
        problems.append("docs/outputs.md has no section '## `network.json`'")
    elif network is not None:
        keys = [f"`{k}`" for k in network]
        keys += [f"`nodes[].{k}`" for k in (network["nodes"][0] if network["nodes"] else {})]
        keys += [f"`edges[].{k}`" for k in (network["edges"][0] if network["edges"] else {})]
        for k in keys:
            if k not in network_section:
                problems.append(f"docs/outputs.md does not document network.json key {k} in its section")
    columns = [c for name in csv_files for c in headers.get(name, [])]
    summary = json.loads(header.stdout)
    for key in summary:
        if f"`{key}`" not in outputs_md:
            problems.append(f"docs/outputs.md does not document summary.json key `{key}`")
    # The results database: tables, views, their columns and the meta keys, from a real file.
    db_section = level2_section(outputs_md, "Results database (`mc --db`)")
    db_names = []
    with tempfile.TemporaryDirectory() as out:
        db_path = pathlib.Path(out) / "mc.db"
        subprocess.run([binary, "mc", "-n", "2", "--quiet", "--store-paths",
                        "capex_usd_bn", "--db", str(db_path)], check=True, capture_output=True)
        connection = sqlite3.connect(str(db_path))
        for (table,) in connection.execute("SELECT name FROM sqlite_schema WHERE type IN ('table', 'view')"):
            db_names.append(table)
            db_names += [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
        db_names += [key for (key,) in connection.execute("SELECT key FROM meta")]
        connection.close()
    if db_section is None:
        problems.append("docs/outputs.md has no section '## Results database (`mc --db`)'")
    else:
        for name in sorted(set(db_names)):
            if f"`{name}`" not in db_section:
                problems.append(f"docs/outputs.md does not document results database name `{name}` in its section")
    for p in problems:
        print(p)
    print(f"checked {len(columns)} columns, {len(summary)} summary keys and {len(set(db_names))} results database "
          f"names: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
