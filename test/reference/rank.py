"""Reference values for src/stats/rank.ts from SciPy (same inputs as rank.json).

Run from the repository root after rank.R:  /usr/bin/python3 test/reference/rank.py
"""
import json
import sys

import scipy
from scipy import stats

with open("test/reference/rank.json") as f:
    ref = json.load(f)
cases = []
for c in ref["cases"]:
    res = stats.spearmanr(c["x"], c["y"])
    cases.append({
        "name": c["name"],
        "rankdata_x": [float(v) for v in stats.rankdata(c["x"])],
        "rho": float(res.correlation),
        "p": float(res.pvalue),
    })
out = {"generator": "test/reference/rank.py", "python": sys.version.split()[0], "scipy": scipy.__version__, "cases": cases}
with open("test/reference/rank_scipy.json", "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
    f.write("\n")
