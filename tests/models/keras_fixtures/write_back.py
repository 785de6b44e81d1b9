"""The seqlab half of the round trip: load every fixture and save it back as .keras and .h5.

    OMP_NUM_THREADS=1 .venv/bin/python tests/models/keras_fixtures/write_back.py /tmp/rt
    /work/envs/keras/bin/python tests/models/keras_fixtures/check_roundtrip.py /tmp/rt

A model with Keras 2's hard_sigmoid cannot be written as .keras, one with Keras 3's not as
.h5 (neither Keras has the other's function): those are skipped with the reason.
"""
import sys
from pathlib import Path

from seqlab.models import load_model

HERE = Path(__file__).resolve().parent


def main(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for source in sorted(HERE.iterdir()):
        if source.suffix not in (".h5", ".keras") or "weights" in source.name:
            continue
        model = load_model(source, compile=False)
        for suffix in (".keras", ".h5"):
            try:
                model.save(folder / f"{source.stem}{suffix}")
            except ValueError as error:
                print(f"{source.name} -> {suffix}: skipped: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
