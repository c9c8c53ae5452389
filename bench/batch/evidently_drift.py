"""Evidently 0.7.23 on the batch benchmark's files: DataDriftPreset with PSI, pandas reading.

Usage: evidently_drift.py REFERENCE CURRENT (CSV or Parquet, by extension). Prints the drift share.
Run from the venv bench/batch/evidentlyVenv.sh makes (outside the repository).
"""
import sys

import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset


def read(path):
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


ref, cur = read(sys.argv[1]), read(sys.argv[2])
numeric = [c for c in ref.columns if c.startswith("n")]
categorical = [c for c in ref.columns if c.startswith("c")]
definition = DataDefinition(numerical_columns=numeric, categorical_columns=categorical)
report = Report([DataDriftPreset(method="psi")])
result = report.run(
    reference_data=Dataset.from_pandas(ref, data_definition=definition),
    current_data=Dataset.from_pandas(cur, data_definition=definition),
)
metrics = result.dict()["metrics"]
print(metrics[0]["value"])
