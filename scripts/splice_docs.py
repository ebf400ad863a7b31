#!/usr/bin/env python3
"""Replaces the text between the GENERATED KEYS markers of a Markdown file.
Usage: splice_docs.py TARGET.md GENERATED.md"""
import pathlib
import sys

BEGIN = "<!-- BEGIN GENERATED KEYS -->"
END = "<!-- END GENERATED KEYS -->"

target = pathlib.Path(sys.argv[1])
generated = pathlib.Path(sys.argv[2]).read_text(encoding="utf-8").strip()
text = target.read_text(encoding="utf-8")
if BEGIN not in text or END not in text:
    sys.exit(f"{target}: missing {BEGIN} / {END} markers")
head, rest = text.split(BEGIN, 1)
_, tail = rest.split(END, 1)
target.write_text(f"{head}{BEGIN}\n{generated}\n{END}{tail}", encoding="utf-8")
print(f"updated {target}")
