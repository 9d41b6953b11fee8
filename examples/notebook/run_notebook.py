"""Run the code cells of a notebook top to bottom without Jupyter (used by the tests).

    HPASIM_OUT=out/gateway python3 examples/notebook/run_notebook.py examples/notebook/timeline.ipynb
"""

import json
import sys

import matplotlib

matplotlib.use("Agg")

notebook = json.load(open(sys.argv[1], encoding="utf-8"))
scope = {}
for cell in notebook["cells"]:
    if cell["cell_type"] == "code":
        exec("".join(cell["source"]), scope)
print(f"ran {sum(c['cell_type'] == 'code' for c in notebook['cells'])} code cells")
