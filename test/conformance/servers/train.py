"""Trains a scikit-learn model on a data set scikit-learn ships (no download) and writes it with
joblib, plus the rows, labels and the model's own predictions as JSON for the test.

usage: train.py DATASET OUT_DIR [C]   (DATASET: breast_cancer | iris | diabetes; C: the classifier's
inverse regularisation strength, default 1.0 — a smaller C trains another version of the model)
"""
import json
import sys

import joblib
import numpy as np
from sklearn import datasets
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

name, out = sys.argv[1], sys.argv[2]
C = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
data = getattr(datasets, f"load_{name}")()
X, y = data.data, data.target
if name == "diabetes":
    model = LinearRegression().fit(X, y)
    predictions = model.predict(X).tolist()
    proba = None
else:
    model = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=1000)).fit(X, y)
    predictions = model.predict(X).tolist()
    proba = model.predict_proba(X).tolist()
joblib.dump(model, f"{out}/model.joblib")
with open(f"{out}/data.json", "w") as f:
    json.dump(
        {
            "features": [str(n) for n in data.feature_names],
            "rows": np.asarray(X).tolist(),
            "target": np.asarray(y).tolist(),
            "predict": predictions,
            "predict_proba": proba,
        },
        f,
    )
