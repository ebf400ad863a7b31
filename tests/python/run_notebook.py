"""Runs the code cells of a Jupyter notebook in order, in one namespace, as a kernel would.

    run_notebook.py NOTEBOOK.ipynb [FIGURE_DIR]

Reads the notebook's JSON with the standard library only (no Jupyter needed), so the example
notebooks are tested on a machine with Debian's python3, numpy, pandas and matplotlib alone.
Charts use matplotlib's Agg backend; with FIGURE_DIR every figure a cell leaves open is saved
there as cell<N>-<k>.png. Exits 1, naming the cell and its first line, when a cell raises.
IPython syntax (lines starting with % or !) is not supported and is refused.
"""

import json
import os
import sys
import time
import traceback


def main():
    notebook_path = sys.argv[1]
    figure_dir = sys.argv[2] if len(sys.argv) > 2 else None
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with open(notebook_path, encoding="utf-8") as f:
        notebook = json.load(f)
    if notebook.get("nbformat") != 4:
        sys.exit("%s: nbformat %s, expected 4" % (notebook_path, notebook.get("nbformat")))
    if figure_dir:
        os.makedirs(figure_dir, exist_ok=True)
    namespace = {"__name__": "__main__"}
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    if not code_cells:
        sys.exit("%s: no code cells" % notebook_path)
    saved = 0
    for number, cell in enumerate(code_cells, start=1):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        for line in source.splitlines():
            if line.lstrip().startswith(("%", "!")):
                sys.exit("%s: code cell %d uses IPython syntax (%s), which this runner does not run"
                         % (notebook_path, number, line.strip()))
        started = time.monotonic()
        try:
            exec(compile(source, "%s [code cell %d]" % (notebook_path, number), "exec"), namespace)
        except Exception:
            first = source.strip().splitlines()[0] if source.strip() else ""
            print("%s: code cell %d (%s) raised:" % (notebook_path, number, first), file=sys.stderr)
            traceback.print_exc()
            sys.exit(1)
        for k, figure_number in enumerate(plt.get_fignums(), start=1):
            if figure_dir:
                plt.figure(figure_number).savefig(os.path.join(figure_dir, "cell%d-%d.png" % (number, k)), dpi=80)
                saved += 1
        plt.close("all")
        print("code cell %d: %.1f s" % (number, time.monotonic() - started))
    print("%s: %d code cells ran%s" % (notebook_path, len(code_cells),
                                       ", %d figures in %s" % (saved, figure_dir) if figure_dir else ""))


if __name__ == "__main__":
    main()
