"""``seqlab inspect gradients|model|vectors``: see inside networks and word vectors."""
from __future__ import annotations

import numpy as np
from rich.console import Console
from rich.table import Table

from ..tasks.configs import LONG_RANGE_CELLS, LongRangeConfig
from ..viz import plot_gates, plot_gradient_flow, plot_projection
from ._options import add_config_options, config_from

HELP = {
    "length": "T of the gradient picture: steps from the first token to the label",
    "units": "units of every cell",
    "embedding_dim": "embedding size",
    "vocabulary": "token ids: 1 and 2 carry the label, 3..vocabulary-1 are noise",
    "sequences": "random sequences the gradient norms are averaged over",
    "seeds": "initialisations the gradient norms are averaged over",
    "train_size": "race: training sequences per T",
    "test_size": "race: test sequences per T",
    "epochs": "race: passes over the training sequences",
    "batch_size": "race: sequences per gradient step",
    "learning_rate": "race: Adam's learning rate",
    "seed": "seed of the data and of the first initialisation",
}


def add(commands):
    parser = commands.add_parser(
        "inspect", help="see inside networks and word vectors",
        description="Gradient flow through time, gates of a trained model, word vectors.")
    parser.set_defaults(command_parser=parser)
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    gradients = actions.add_parser(
        "gradients", help="vanishing gradients: SimpleRNN vs LSTM vs GRU on a long-range task",
        description="The label of a length-T sequence is its first token. Untrained SimpleRNN, "
                    "LSTM and GRU models of the same size: the norm of d loss / d h_t against "
                    "t (nothing is trained for it). Then a short accuracy race: each cell "
                    "trained briefly at each T of --lengths. Writes one PNG (--output).")
    add_config_options(gradients, LongRangeConfig, HELP, skip=("lengths", "cells"))
    gradients.add_argument("--lengths", nargs="+", type=int, metavar="T", default=[10, 50, 100],
                           help="T values of the accuracy race (default 10 50 100)")
    gradients.add_argument("--cells", nargs="+", metavar="CELL", default=list(LONG_RANGE_CELLS),
                           help=f"cells to compare: {', '.join(LONG_RANGE_CELLS)} (default all)")
    gradients.add_argument("--no-race", action="store_true",
                           help="only the gradient picture (trains nothing)")
    gradients.add_argument("--output", default="runs/inspect/gradients.png", metavar="PNG",
                           help="the plot to write (default runs/inspect/gradients.png)")
    gradients.add_argument("--quiet", action="store_true", help="no progress lines")
    gradients.set_defaults(run=_gradients)

    model = actions.add_parser(
        "model", help="a trained model's recurrent layers, weights by gate, gate activations",
        description="The summary, each recurrent layer's weights split into its gate blocks "
                    "(LSTM i/f/c/o, GRU z/r/h) and, with --text, the gates at every token of "
                    "the text as heatmaps (LSTM i/f/o, GRU z/r, SimpleRNN h).")
    model.add_argument("run_folder", metavar="RUN",
                       help="a run folder of `seqlab classify|generate|seq2seq train` (or its "
                            "model.safetensors), or a Keras model file (.h5, .keras)")
    model.add_argument("--text", help="the text to run through the model (token ids separated "
                                      "by spaces for a model without a tokenizer)")
    model.add_argument("--input", dest="input_name", metavar="NAME",
                       help="the model input that gets the text (several-input models; "
                            "default: the first)")
    model.add_argument("--output", default="runs/inspect/gates.png", metavar="PNG",
                       help="the heatmaps to write with --text (default runs/inspect/gates.png)")
    model.set_defaults(run=_model)

    vectors = actions.add_parser(
        "vectors", help="nearest neighbours and a 2-D PCA projection of chosen words",
        description="Word vectors from a GloVe, word2vec text or word2vec binary file.")
    vectors.add_argument("vectors_file", metavar="FILE")
    vectors.add_argument("--words", nargs="+", required=True, metavar="WORD",
                         help="the words to inspect")
    vectors.add_argument("--topn", type=int, default=5, help="neighbours listed per word (5)")
    vectors.add_argument("--neighbours", type=int, default=0, metavar="N",
                         help="also plot each word's N nearest neighbours (default 0)")
    vectors.add_argument("--limit", type=int, help="read only the first N words of the file")
    vectors.add_argument("--output", default="runs/inspect/vectors.png", metavar="PNG",
                         help="the projection plot (default runs/inspect/vectors.png)")
    vectors.set_defaults(run=_vectors)


# --------------------------------------------------------------------- gradients

def _gradients(args) -> int:
    from ..tasks import inspect

    config = config_from(args, LongRangeConfig, lengths=args.lengths, cells=args.cells)
    verbose = 0 if args.quiet else 1
    flow = inspect.gradient_flow(config, verbose=verbose)
    race = None if args.no_race else inspect.accuracy_race(config, verbose=verbose)
    path = plot_gradient_flow(flow, args.output, race)
    console = Console()
    console.print(gradient_table(flow))
    if race:
        console.print(race_table(race))
    console.print(f"plot: {path}")
    return 0


def gradient_rows(length) -> list:
    """The steps shown in the table: 1, then 10%, 25%, 50%, 75%, 90% and 100% of T."""
    return sorted({1, *(max(1, round(length * q)) for q in (0.1, 0.25, 0.5, 0.75, 0.9, 1.0))})


def gradient_table(flow) -> Table:
    cells = list(flow["norms"])
    table = Table(title=f"mean ||∂loss/∂h_t|| at initialisation, T={flow['length']} "
                        f"({flow['seeds']} seeds × {flow['sequences']} sequences, "
                        f"{flow['units']} units)", header_style="bold")
    table.add_column("step t")
    for cell in cells:
        table.add_column(cell, justify="right")
    for step in gradient_rows(flow["length"]):
        table.add_row(str(step), *(f"{flow['norms'][c][step - 1]:.2e}" for c in cells))
    table.add_section()
    table.add_row("t=1 / t=T", *(f"{flow['ratio'][c]:.2e}" for c in cells))
    return table


def race_table(race) -> Table:
    table = Table(title=f"test accuracy after {race['epochs']} epochs on "
                        f"{race['train_size']:,} sequences ({race['test_size']:,} test, "
                        f"chance {race['chance']:.2f})", header_style="bold")
    table.add_column("cell")
    for length in race["lengths"]:
        table.add_column(f"T={length}", justify="right")
    table.add_column("training", justify="right")
    for cell, values in race["accuracy"].items():
        table.add_row(cell, *(f"{v:.3f}" for v in values),
                      f"{sum(race['seconds'][cell]):.1f} s")
    return table


# ------------------------------------------------------------------------- model

def _model(args) -> int:
    from ..tasks import inspect

    described = inspect.describe_model(args.run_folder)
    activations = None
    if args.text is not None:  # before printing: a bad text fails with nothing half-shown
        activations = inspect.gate_activations(args.run_folder, args.text, args.input_name)
    console = Console()
    console.print(described["summary"], markup=False, highlight=False)
    console.print(weights_table(described))
    if activations is None:
        console.print("give --text TEXT to see the gates at every token")
        return 0
    console.print(gates_table(activations))
    if activations["dropped"]:
        console.print(f"dropped (not in the vocabulary, no OOV token): "
                      f"{' '.join(activations['dropped'])}", markup=False)
    if activations["skipped"]:
        console.print(f"not reached from this input: {', '.join(activations['skipped'])}",
                      markup=False)
    if activations["layers"]:
        path = plot_gates(activations, args.output,
                          title=f"{args.run_folder}: gates over the text")
        console.print(f"plot: {path}")
    return 0


def weights_table(described) -> Table:
    table = Table(title=f"{described['path']}: recurrent weights by gate", header_style="bold")
    for column in ("layer", "weight", "shape", "gate blocks"):
        table.add_column(column)
    for layer in described["layers"]:
        where = f"{layer['wrapper']}/" if layer["wrapper"] else ""
        name = f"{where}{layer['name']} ({layer['type']}, {layer['units']} units)"
        for weight in layer["weights"] or [{"weight": "?", "shape": (), "blocks": {}}]:
            blocks = "  ".join(f"{gate} {_shape(block.shape)}"
                               for gate, block in weight["blocks"].items())
            table.add_row(name, weight["weight"], _shape(weight["shape"]),
                          blocks or "custom cell")
            name = ""
        table.add_section()
    return table


def gates_table(activations) -> Table:
    table = Table(title=f"gates over {len(activations['tokens'])} tokens: "
                        f"{' '.join(activations['tokens'])}", header_style="bold")
    for column, justify in (("layer", "left"), ("gate", "left"), ("mean", "right"),
                            ("min", "right"), ("max", "right"), ("check", "right")):
        table.add_column(column, justify=justify)
    for layer in activations["layers"]:
        where = f"{layer['wrapper']}/" if layer["wrapper"] else ""
        name = f"{where}{layer['name']} ({layer['direction']})"
        for gate, values in layer["gates"].items():
            table.add_row(name, gate, f"{_nanmean(values):.3f}", f"{_nan(values, min):.3f}",
                          f"{_nan(values, max):.3f}",
                          f"{layer['output_difference']:.1e}" if name else "")
            name = ""
        table.add_section()
    table.caption = "check: max |recomputed h - the layer's own output|"
    return table


def _nanmean(values):
    return float(np.nanmean(values)) if values.size else float("nan")


def _nan(values, pick):
    if not values.size:
        return float("nan")
    return float(np.nanmin(values) if pick is min else np.nanmax(values))


def _shape(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


# ----------------------------------------------------------------------- vectors

def _vectors(args) -> int:
    from ..tasks import inspect

    vectors = inspect.read_vectors(args.vectors_file, args.limit)
    neighbours = inspect.vector_neighbours(vectors, args.words, args.topn)
    projection = inspect.project_words(vectors, args.words, args.neighbours)
    path = plot_projection(projection, args.output)
    console = Console()
    console.print(neighbours_table(neighbours, f"{args.vectors_file}: {len(vectors):,} words × "
                                               f"{vectors.vector_size}"))
    console.print(projection_table(projection))
    console.print(f"plot: {path}")
    return 0


def neighbours_table(neighbours, title) -> Table:
    table = Table(title=title, header_style="bold")
    table.add_column("word")
    table.add_column("nearest words (cosine)")
    for word, found in neighbours.items():
        table.add_row(word, ", ".join(f"{other} {cosine:.3f}" for other, cosine in found))
    return table


def projection_table(projection) -> Table:
    explained = projection["explained"]
    table = Table(title=f"PCA of {len(projection['words'])} words: PC1 {explained[0]:.0%}, "
                        f"PC2 {explained[1]:.0%} of their variance", header_style="bold")
    for column, justify in (("word", "left"), ("PC1", "right"), ("PC2", "right"),
                            ("group", "left")):
        table.add_column(column, justify=justify)
    for word, group, (x, y) in zip(projection["words"], projection["groups"],
                                   projection["points"]):
        table.add_row(word, f"{x:.3f}", f"{y:.3f}", group)
    return table
