"""The numpy floor for the batch benchmark: what a plain pandas/numpy script does for the same
result as `infermon baseline` + `infermon drift` (infermon's edges: deciles, linear interpolation,
6 significant digits; top-20 categories + other; PSI with the same smoothing).

Usage: numpy_floor.py REFERENCE CURRENT (CSV or Parquet, by extension). Prints PSI per feature.
"""
import json
import sys

import numpy as np
import pandas as pd

ALPHA = 0.5  # infermon's default smoothing: laplace, alpha 0.5


def read(path):
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def proportions(counts):
    return (counts + ALPHA) / (counts.sum() + len(counts) * ALPHA)


def psi(cur, ref):
    a, b = proportions(cur), proportions(ref)
    return float(np.sum((a - b) * np.log(a / b)))


ref, cur = read(sys.argv[1]), read(sys.argv[2])
out = {}
for col in ref.columns:
    r, c = ref[col], cur[col]
    if col.startswith("n"):
        rv = r.to_numpy(dtype=float)
        rv = rv[np.isfinite(rv)]
        edges = np.quantile(rv, np.arange(1, 10) / 10)
        edges = np.unique([float(f"{e:.6g}") for e in edges])
        cv = c.to_numpy(dtype=float)
        cv = cv[np.isfinite(cv)]
        rc = np.bincount(np.searchsorted(edges, rv, side="right"), minlength=len(edges) + 1)
        cc = np.bincount(np.searchsorted(edges, cv, side="right"), minlength=len(edges) + 1)
    else:
        top = r.value_counts().index[:20]
        rc = np.append(r.value_counts().reindex(top).to_numpy(), (~r.isin(top) & r.notna()).sum())
        cc = np.append(c.value_counts().reindex(top, fill_value=0).to_numpy(), (~c.isin(top) & c.notna()).sum())
    out[col] = psi(cc.astype(float), rc.astype(float))
print(json.dumps(out))
