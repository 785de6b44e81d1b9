"""``seqlab convert IN OUT``: a model file into another format (Keras .h5 / .keras,
seqlab .safetensors, ONNX), checked by running both on the same random input."""
from __future__ import annotations

from pathlib import Path

TARGETS = (".safetensors", ".keras", ".h5", ".onnx")


def add(commands):
    parser = commands.add_parser(
        "convert", help="convert a model file: Keras .h5/.keras <-> .safetensors, .onnx",
        description="Read a Keras 1/2/tf.keras .h5, a Keras 3 .keras, a seqlab .safetensors "
                    "model or run folder, and write it as OUT, whose suffix picks the format: "
                    ".safetensors (seqlab), .keras (Keras 3), .h5 (tf.keras), .onnx. The "
                    "written file is loaded back and run on a random input next to the "
                    "original (not for .onnx): the largest difference is printed.")
    parser.add_argument("source", metavar="IN", help="the model file (or seqlab run folder)")
    parser.add_argument("target", metavar="OUT", help="the file to write: " + ", ".join(TARGETS))
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    parser.set_defaults(run=_convert)


def _convert(args) -> int:
    try:
        return _run(args)
    except ImportError as error:  # h5py missing: the message says how to install it
        raise ValueError(str(error)) from None


def _run(args) -> int:
    from ..models import load_model

    target = Path(args.target)
    if target.suffix.lower() not in TARGETS:
        raise ValueError(f"OUT {target}: the suffix picks the format, use one of "
                         f"{', '.join(TARGETS)}")
    if target.exists() and not args.force:
        raise ValueError(f"{target} exists: pass --force to replace it")
    model = load_model(args.source, compile=False)
    if target.suffix.lower() == ".onnx":
        from ..models import export_onnx
        export_onnx(model, target)
        print(f"wrote {target} (ONNX)")
        return 0
    suffix = target.suffix.lower()
    model.save(target, save_format={".keras": "keras", ".h5": "h5"}.get(suffix, "safetensors"))
    again = load_model(target, compile=False)
    difference = _difference(model, again)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"wrote {target} ({parameters:,} weights); max |output difference| on a random "
          f"input: {difference:.1e}")
    if difference > 1e-5:
        raise ValueError(f"{target} does not give the same outputs (difference "
                         f"{difference:.2e}): please report this")
    return 0


def _difference(model, again) -> float:
    """Largest output difference of the two models on one random input batch."""
    import numpy as np

    rng = np.random.default_rng(0)
    inputs = [_random_input(symbol, layer, rng) for symbol, layer in _inputs(model)]
    first = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    second = again.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    first = first if isinstance(first, list) else [first]
    second = second if isinstance(second, list) else [second]
    return max(float(np.abs(np.asarray(a) - np.asarray(b)).max()) for a, b in zip(first, second))


def _inputs(model):
    """``[(symbolic input, the first layer reading it)]``."""
    if hasattr(model, "add"):  # Sequential
        return [(model._input_symbol, model.layers[0])]
    found = []
    for symbol in model._inputs:
        reader = next((node.layer for node in model._nodes if any(
            t is symbol for t in node.inputs)), None)
        found.append((symbol, reader))
    return found


def _random_input(symbol, layer, rng):
    shape = [3 if i == 0 else 16 for i, d in enumerate(symbol.shape)]
    shape = [d if d is not None and i > 0 else shape[i] for i, d in enumerate(symbol.shape)]
    vocabulary = getattr(layer, "input_dim", None)
    if type(layer).__name__ == "Embedding" and vocabulary:
        return rng.integers(0, vocabulary, size=shape)
    return rng.normal(size=shape).astype("float32")
