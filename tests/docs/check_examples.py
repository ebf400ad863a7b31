#!/usr/bin/env python3
"""Checks that the example outputs in README.md and docs/*.md are what the binary prints.

An example is a fenced block whose opening fence follows (directly, or after one blank line) a
marker comment naming the command:

    <!-- output of: bubblesim run sudden-100x -->
    ```
    bubblesim — scenario 'sudden-100x' …
    ...
    ```

The command runs with this binary (no shell, in an empty temporary folder). A line that is
"..." (indented or not) stands for lines left out: the block's other lines must then appear in
the output in order, each run of them contiguously. A block without "..." must equal the output.
Lines are compared without trailing spaces.

Usage: check_examples.py BUBBLESIM SOURCE_DIR [--update]
  --update rewrites every block without "..." with the binary's output (blocks with "..." are
  reported, never rewritten: choose their lines by hand).
Exit 0 when every example matches, 1 otherwise (each difference printed as file:line: …).
"""
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

MARKER = re.compile(r"^<!-- output of: (bubblesim .+?) -->\s*$")


def examples(text):
    """Yields (command, first line index of the block's body, lines of the body)."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        if j < len(lines) and lines[j].strip() == "":
            j += 1
        if j >= len(lines) or not lines[j].startswith("```"):
            yield m.group(1), None, None
            i = j
            continue
        k = j + 1
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        yield m.group(1), j + 1, lines[j + 1:k]
        i = k + 1


def run(binary, command):
    args = shlex.split(command)
    with tempfile.TemporaryDirectory() as work:
        done = subprocess.run([binary] + args[1:], cwd=work, capture_output=True, text=True, timeout=300)
    return [line.rstrip() for line in done.stdout.rstrip("\n").split("\n")]


def segments(body):
    """The block's runs of lines between "..." markers, each as (index of its first line, lines)."""
    runs, current, first = [], [], 0
    for n, line in enumerate(body):
        if line.strip() == "...":
            if current:
                runs.append((first, current))
            current = []
        else:
            if not current:
                first = n
            current.append(line.rstrip())
    if current:
        runs.append((first, current))
    return runs


def find_run(output, run, start):
    for i in range(start, len(output) - len(run) + 1):
        if output[i:i + len(run)] == run:
            return i
    return -1


def check(path, binary, update):
    text = path.read_text(encoding="utf-8")
    problems = []
    replacements = []
    for command, first, body in examples(text):
        if first is None:
            problems.append(f"{path}: the marker for '{command}' is not followed by a fenced block")
            continue
        output = run(binary, command)
        elided = any(line.strip() == "..." for line in body)
        if not elided:
            if [line.rstrip() for line in body] != output:
                if update:
                    replacements.append((first, len(body), output))
                else:
                    for n, (want, got) in enumerate(zip(body + [""] * len(output), output + [""] * len(body))):
                        if want.rstrip() != got:
                            problems.append(f"{path}:{first + n + 1}: '{command}' prints {got!r}, the example has {want.rstrip()!r}")
                            break
            continue
        at = 0
        for start, run_lines in segments(body):
            found = find_run(output, run_lines, at)
            if found < 0:
                # The first line of the run that cannot be matched from here, for the message.
                prefix = 0
                while prefix < len(run_lines) and find_run(output, run_lines[:prefix + 1], at) >= 0:
                    prefix += 1
                problems.append(f"{path}:{first + start + prefix + 1}: '{command}' does not print "
                                f"{run_lines[prefix]!r} here")
                break
            at = found + len(run_lines)
    if replacements:
        lines = text.split("\n")
        for first, count, output in sorted(replacements, reverse=True):
            lines[first:first + count] = output
        path.write_text("\n".join(lines), encoding="utf-8")
        print(f"{path}: {len(replacements)} example(s) rewritten")
    return problems


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, source = str(pathlib.Path(sys.argv[1]).resolve()), pathlib.Path(sys.argv[2])
    update = "--update" in sys.argv[3:]
    files = [source / "README.md"] + sorted((source / "docs").glob("*.md"))
    problems = []
    count = 0
    for f in files:
        count += sum(1 for _ in examples(f.read_text(encoding="utf-8")))
        problems += check(f, binary, update)
    for p in problems:
        print(p)
    if count == 0:
        print("no marked examples found: the check would be vacuous")
        return 1
    print(f"{count} example(s) checked, {len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
