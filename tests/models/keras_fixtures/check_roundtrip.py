"""The Keras half of the round trip: .h5 (tf.keras) -> seqlab -> .keras -> Keras 3.

First let seqlab (the project's venv) write every fixture back as .keras and .h5::

    OMP_NUM_THREADS=1 .venv/bin/python tests/models/keras_fixtures/write_back.py /tmp/rt

then, with the environment of make_fixtures.py::

    /work/envs/keras/bin/python tests/models/keras_fixtures/check_roundtrip.py /tmp/rt

Keras 3 loads every ``.keras`` and tf.keras every ``.h5`` there; their outputs must equal
the fixtures' (Keras's own, from ``NAME.npz``) to 1e-5. Prints one line per file.
"""
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(folder):
    import keras
    import tf_keras
    worst = 0.0
    for path in sorted(Path(folder).iterdir()):
        if path.suffix not in (".keras", ".h5"):
            continue
        model = (keras.saving.load_model(path) if path.suffix == ".keras"
                 else tf_keras.models.load_model(path))
        data = np.load(HERE / f"{path.stem}.npz")
        xs = [data[k] for k in sorted(data.files) if k.startswith("x")]
        ys = [data[k] for k in sorted(data.files) if k.startswith("y")]
        outputs = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        error = max(float(np.abs(np.asarray(o) - y).max()) for o, y in zip(outputs, ys))
        worst = max(worst, error)
        print(f"{path.name}: max |Keras - fixture| = {error:.2e}")
    print(f"worst {worst:.2e}: {'OK' if worst <= 1e-5 else 'FAILED'}")
    return 0 if worst <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
