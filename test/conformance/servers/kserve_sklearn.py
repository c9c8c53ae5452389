"""A scikit-learn model behind KServe's Python model server (the `kserve` package), as KServe's
sklearnserver serves it: v1 (`/v1/models/NAME:predict`, instances) and v2 (`/v2/models/NAME/infer`)
on one HTTP port, predict or predict_proba.

usage: kserve_sklearn.py HTTP_PORT NAME:MODEL_DIR:METHOD [...]   (METHOD: predict | predict_proba)
"""
import sys

import joblib
import kserve
from kserve.utils.utils import get_predict_input, get_predict_response


class SKLearnModel(kserve.Model):
    def __init__(self, name, model_dir, method):
        super().__init__(name)
        self.model_dir = model_dir
        self.method = method
        self.load()

    def load(self):
        self._model = joblib.load(f"{self.model_dir}/model.joblib")
        self.ready = True
        return self.ready

    def predict(self, payload, headers=None):
        instances = get_predict_input(payload)
        result = getattr(self._model, self.method)(instances)
        return get_predict_response(payload, result, self.name)


if __name__ == "__main__":
    port = int(sys.argv[1])
    models = [SKLearnModel(*spec.split(":")) for spec in sys.argv[2:]]
    kserve.ModelServer(http_port=port, enable_grpc=False, workers=1).start(models)
