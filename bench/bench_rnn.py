"""Benchmark: seqlab's recurrent layers against their peers, one command, side by side.

Workloads (float32, torch's default thread count; a training step is forward +
backward + Adam(lr=1e-3) on binary cross-entropy of a sigmoid output):

    W1-SimpleRNN, W1-LSTM, W1-GRU, W1-BiLSTM
        Embedding(10000, 32) -> SimpleRNN / LSTM / GRU / Bidirectional(LSTM) (32 units)
        -> Dense(1, sigmoid); batch 128 x length 200, training
    W2-LSTM256   Embedding(20000, 128) -> LSTM(256) -> Dense(1); batch 64 x length 100
    W3-dropout   W1-LSTM with LSTM(32, recurrent_dropout=0.2)
    W3-nobias    W1-LSTM with LSTM(32, use_bias=False)
    W3-mask      W1-LSTM with Embedding(mask_zero=True) on left-padded rows of random
                 lengths: each row's first p positions are token 0 and the rest random
                 tokens 1..9999, p drawn uniformly from 0..60% of the length (30% padding
                 on average, Keras's default padding='pre')
    W4-infer     the W1-LSTM model at batch 512, inference (eval mode, no gradients)

Peers (the column names), each in a process of its own:

    seqlab         Sequential of seqlab layers, compile("adam", "binary_crossentropy")
                   and train_on_batch (predict_on_batch for W4); no environment variables
    seqlab-loop    the same seqlab model in a bare torch loop (torch.optim.Adam, BCE;
                   W4: model(x) under torch.no_grad()), to show what train_on_batch costs
    torch          plain torch.nn written by hand: nn.Embedding -> nn.RNN/LSTM/GRU
                   (batch_first) -> nn.Linear, BCEWithLogitsLoss. It has no recurrent
                   dropout (W3-dropout times the plain LSTM) and no masks (W3-mask packs
                   the same rows, right-aligned outside the timing, with
                   pack_padded_sequence and their lengths)
    keras-torch, keras-jax   Keras 3 (KERAS_BACKEND=torch / jax), compile + train_on_batch
    tf-keras       TF-Keras 2 (tf_keras), the same code

Each peer but seqlab also runs a second time with glibc's allocator told to keep freed
memory (``MALLOC_MMAP_THRESHOLD_=4000000000 MALLOC_TRIM_THRESHOLD_=100000000000``, read
at process start), as the "+malloc" column; a peer's better column is its figure. Keras
peers that are not installed are skipped with a line saying so.

How it is timed: one worker process per column (this file with ``--worker PEER``) builds
every workload's model and warms it up, then serves "run WORKLOAD STEPS" lines on stdin
with one JSON line (ms per step, seqlab's recurrent path) on stdout. The coordinator
interleaves: for each repetition, for each workload, every worker in turn (the order
reversed every other repetition) times ``--steps`` steps, so machine noise hits all
alike; only one worker computes at a time. Every repetition also measures the machine's
matrix-multiply peak: GFLOP/s of a float32 2048x2048 @ 2048x2048 torch.mm on all threads.

The table shows median ms per step, the fastest peer's ms / seqlab's ms (above 1 =
seqlab faster), seqlab's fraction of that peak and the path its recurrent layer took.
FLOPs per step count the matrix products only (a multiply-add is 2 FLOPs):

    N = real (row, step) positions: batch x length, or the sum of row lengths for W3-mask
    G = gate blocks (SimpleRNN 1, GRU 3, LSTM 4), D = directions (2 for Bidirectional)
    forward   = D * (2*N*E*G*U      input projection, E = embedding size, U = units
                     + 2*N*U*G*U)   recurrent matmuls
                + 2*B*D*U           Dense head, B = batch
    training  = 3 * forward         backward: grad wrt input and wrt weight, each as
                                    costly as the forward product
    inference = forward

Embedding lookups, gate nonlinearities, biases, the loss and Adam are elementwise and
not counted.

    python bench/bench_rnn.py                             # everything, ~5 minutes
    python bench/bench_rnn.py --workloads W1 W3-mask --repeats 9 --steps 20
    python bench/bench_rnn.py --peers seqlab torch --json rnn.json
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "4000000000", "MALLOC_TRIM_THRESHOLD_": "100000000000"}
WARMUP_STEPS = 2
PEAK_SIZE = 2048
MAX_PADDING = 0.6  # W3-mask: each row's padding is uniform in 0..60% of the length


# ------------------------------------------------------------------------ workloads

@dataclass(frozen=True)
class Workload:
    name: str
    cell: str = "LSTM"  # SimpleRNN, LSTM or GRU
    vocab: int = 10000
    length: int = 200
    batch: int = 128
    embed: int = 32
    units: int = 32
    bidirectional: bool = False
    recurrent_dropout: float = 0.0
    use_bias: bool = True
    mask_zero: bool = False  # left-padded rows, Embedding(mask_zero=True)
    inference: bool = False  # forward only, eval mode, no gradients
    torch_note: str = ""  # how the plain torch peer differs, for a footnote

    def describe(self) -> str:
        options = [str(self.units)]
        if self.recurrent_dropout:
            options.append(f"recurrent_dropout={self.recurrent_dropout}")
        if not self.use_bias:
            options.append("use_bias=False")
        layer = f"{self.cell}({', '.join(options)})"
        if self.bidirectional:
            layer = f"Bidirectional({layer})"
        mask = ", mask_zero=True" if self.mask_zero else ""
        mode = "inference" if self.inference else "training"
        return (f"Embedding({self.vocab}, {self.embed}{mask}) > {layer} > Dense(1); "
                f"batch {self.batch} x {self.length}, {mode}")

    def flops(self, positions: int) -> float:
        """FLOPs of one step over `positions` real (row, step) positions (module docstring)."""
        gates = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}[self.cell]
        directions = 2 if self.bidirectional else 1
        recurrent = directions * 2 * positions * gates * self.units * (self.embed + self.units)
        forward = recurrent + 2 * self.batch * directions * self.units
        return forward if self.inference else 3 * forward


W1_LSTM = Workload("W1-LSTM")
WORKLOADS = {w.name: w for w in [
    Workload("W1-SimpleRNN", cell="SimpleRNN"),
    W1_LSTM,
    Workload("W1-GRU", cell="GRU"),
    Workload("W1-BiLSTM", bidirectional=True),
    Workload("W2-LSTM256", vocab=20000, length=100, batch=64, embed=128, units=256),
    replace(W1_LSTM, name="W3-dropout", recurrent_dropout=0.2,
            torch_note="plain torch has no recurrent dropout: it ran the plain LSTM"),
    replace(W1_LSTM, name="W3-nobias", use_bias=False),
    replace(W1_LSTM, name="W3-mask", mask_zero=True,
            torch_note="plain torch has no masks: it packed the rows (right-aligned) with "
                       "pack_padded_sequence and their lengths"),
    replace(W1_LSTM, name="W4-infer", batch=512, inference=True),
]}


def select_workloads(requested: list[str]) -> list[Workload]:
    """Workloads named in `requested`, by full name or prefix (W1, W3-mask), in table order."""
    chosen = set()
    for token in requested:
        matches = [name for name in WORKLOADS if name.startswith(token)]
        if not matches:
            raise SystemExit(f"no workload matches {token!r}: choose among {', '.join(WORKLOADS)}")
        chosen.update(matches)
    return [w for name, w in WORKLOADS.items() if name in chosen]


@dataclass
class Batch:
    x: np.ndarray  # (batch, length) int64, left-padded with 0 when masked
    y: np.ndarray  # (batch, 1) float32 labels
    lengths: np.ndarray  # (batch,) real tokens per row


def make_batch(w: Workload) -> Batch:
    """The same seeded batch in every process."""
    rng = np.random.default_rng(0)
    x = rng.integers(1, w.vocab, size=(w.batch, w.length))
    y = rng.integers(0, 2, size=(w.batch, 1)).astype(np.float32)
    lengths = np.full(w.batch, w.length)
    if w.mask_zero:
        lengths -= rng.integers(0, int(MAX_PADDING * w.length) + 1, size=w.batch)
        x[np.arange(w.length) < (w.length - lengths)[:, None]] = 0
    return Batch(x, y, lengths)


def right_aligned(batch: Batch) -> np.ndarray:
    """Each row's real tokens moved to its start, as pack_padded_sequence reads them."""
    x = np.zeros_like(batch.x)
    for row, length in enumerate(batch.lengths):
        x[row, :length] = batch.x[row, batch.x.shape[1] - length:]
    return x


# ---------------------------------------------------------------- peers: the models
# Each builder returns (step, path): step() runs one step, path() names seqlab's path.

def build_seqlab(w: Workload, batch: Batch, bare_loop: bool):
    from seqlab import layers as L
    from seqlab.models import Sequential

    torch.manual_seed(0)
    recurrent = getattr(L, w.cell)(w.units, recurrent_dropout=w.recurrent_dropout,
                                   use_bias=w.use_bias)
    if w.bidirectional:
        recurrent = L.Bidirectional(recurrent)
    model = Sequential([L.Embedding(w.vocab, w.embed, mask_zero=w.mask_zero), recurrent,
                        L.Dense(1, activation="sigmoid")])
    layer = getattr(recurrent, "forward_layer", recurrent)
    x, y = torch.from_numpy(batch.x), torch.from_numpy(batch.y)
    if not bare_loop and w.inference:
        return (lambda: model.predict_on_batch(batch.x)), (lambda: layer.path)
    if not bare_loop:
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return (lambda: model.train_on_batch(batch.x, batch.y)), (lambda: layer.path)
    if w.inference:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)
        return step, (lambda: layer.path)
    model(x[:2])  # build the lazy layers before the optimizer takes the parameters
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy(model(x), y).backward()
        optimizer.step()
    return step, (lambda: layer.path)


class TorchModel(nn.Module):
    """The workload's model in plain torch.nn, as one would write it by hand; returns logits."""

    def __init__(self, w: Workload):
        super().__init__()
        directions = 2 if w.bidirectional else 1
        self.embedding = nn.Embedding(w.vocab, w.embed)
        rnn = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[w.cell]
        self.rnn = rnn(w.embed, w.units, bias=w.use_bias, batch_first=True,
                       bidirectional=w.bidirectional)
        self.head = nn.Linear(directions * w.units, 1)

    def forward(self, x, lengths=None):
        h = self.embedding(x)  # (batch, time, embed)
        if lengths is not None:
            h = nn.utils.rnn.pack_padded_sequence(h, lengths, batch_first=True,
                                                  enforce_sorted=False)
        _, state = self.rnn(h)
        h_n = state[0] if isinstance(state, tuple) else state  # (directions, batch, units)
        return self.head(torch.cat(list(h_n), dim=-1))


def build_torch(w: Workload, batch: Batch):
    torch.manual_seed(0)
    model = TorchModel(w)
    x = torch.from_numpy(right_aligned(batch) if w.mask_zero else batch.x)
    y = torch.from_numpy(batch.y)
    lengths = torch.from_numpy(batch.lengths) if w.mask_zero else None
    if w.inference:
        model.eval()

        def step():
            with torch.no_grad():
                torch.sigmoid(model(x, lengths))
        return step, (lambda: "")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(x, lengths), y).backward()
        optimizer.step()
    return step, (lambda: "")


def build_keras(w: Workload, batch: Batch, module: str, backend: str | None):
    keras = importlib.import_module(module)
    if backend and keras.backend.backend() != backend:
        raise RuntimeError(f"{module} {keras.__version__} runs on {keras.backend.backend()}, "
                           f"not {backend}: the keras peers need Keras 3")
    keras.utils.set_random_seed(0)
    recurrent = getattr(keras.layers, w.cell)(w.units, recurrent_dropout=w.recurrent_dropout,
                                              use_bias=w.use_bias)
    if w.bidirectional:
        recurrent = keras.layers.Bidirectional(recurrent)
    model = keras.Sequential([
        keras.Input(shape=(w.length,), dtype="int32"),
        keras.layers.Embedding(w.vocab, w.embed, mask_zero=w.mask_zero),
        recurrent,
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    x = batch.x.astype(np.int32)
    if w.inference:
        return (lambda: model.predict_on_batch(x)), (lambda: "")
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return (lambda: model.train_on_batch(x, batch.y)), (lambda: "")


@dataclass(frozen=True)
class Peer:
    build: Callable  # (workload, batch) -> (step, path)
    modules: tuple  # what must be importable; their versions are reported
    env: tuple = ()  # extra environment variables, as (name, value) pairs
    malloc_too: bool = True  # also run with MALLOC_ENV, as a second column


PEERS = {
    "seqlab": Peer(lambda w, b: build_seqlab(w, b, bare_loop=False), ("seqlab",),
                   malloc_too=False),
    "seqlab-loop": Peer(lambda w, b: build_seqlab(w, b, bare_loop=True), ("seqlab",),
                        malloc_too=False),
    "torch": Peer(build_torch, ("torch",)),
    "keras-torch": Peer(lambda w, b: build_keras(w, b, "keras", "torch"), ("keras",),
                        (("KERAS_BACKEND", "torch"),)),
    "keras-jax": Peer(lambda w, b: build_keras(w, b, "keras", "jax"), ("keras", "jax"),
                      (("KERAS_BACKEND", "jax"),)),
    "tf-keras": Peer(lambda w, b: build_keras(w, b, "tf_keras", None),
                     ("tf_keras", "tensorflow")),
}


# ----------------------------------------------------------------------- the worker

def serve(peer_name: str, workloads: list[Workload]):
    """Build and warm up every workload for one peer, then answer "run NAME STEPS" lines."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever else gets printed (libraries, C code) goes to stderr

    def reply(message):
        protocol.write(json.dumps(message) + "\n")

    peer = PEERS[peer_name]
    runners, errors = {}, {}
    for w in workloads:
        try:
            step, path = peer.build(w, make_batch(w))
            for _ in range(WARMUP_STEPS):
                step()
            runners[w.name] = step, path
        except Exception as error:  # reported to the coordinator, which shows it
            traceback.print_exc()
            errors[w.name] = f"{type(error).__name__}: {error}"
    versions = {m: getattr(sys.modules.get(m), "__version__", "?") for m in peer.modules}
    reply({"errors": errors, "versions": versions, "threads": torch.get_num_threads()})
    for line in sys.stdin:
        _, name, steps = line.split()  # "run NAME STEPS"
        step, path = runners[name]
        try:
            start = time.perf_counter()
            for _ in range(int(steps)):
                step()
            reply({"ms": (time.perf_counter() - start) / int(steps) * 1000, "path": path()})
        except Exception as error:
            traceback.print_exc()
            reply({"error": f"{type(error).__name__}: {error}"})


# ------------------------------------------------------------------ the coordinator

class WorkerDied(Exception):
    pass


class Worker:
    """One column: a peer in its own process (see `serve`), driven line by line."""

    def __init__(self, peer: str, malloc: bool, workloads: list[Workload]):
        self.label = peer + ("+malloc" if malloc else "")
        env = {k: v for k, v in os.environ.items() if k not in MALLOC_ENV}
        env.update(PEERS[peer].env)
        if malloc:
            env.update(MALLOC_ENV)
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", peer,
                   "--workloads", *[w.name for w in workloads]]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=env)
        hello = self._receive()
        self.errors, self.versions, self.threads = (hello["errors"], hello["versions"],
                                                    hello["threads"])

    def run(self, name: str, steps: int) -> dict:
        try:
            self.process.stdin.write(f"run {name} {steps}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            raise WorkerDied(self._exit_status()) from None
        return self._receive()

    def _receive(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise WorkerDied(self._exit_status())
        return json.loads(line)

    def _exit_status(self) -> str:
        code = self.process.wait()
        if code < 0:
            return f"killed by signal {-code}"
        return f"exited with code {code} (its error is above)"

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def missing_module(peer: Peer) -> str | None:
    return next((m for m in peer.modules if importlib.util.find_spec(m) is None), None)


def start_workers(peers: list[str], workloads: list[Workload], failures: dict) -> list[Worker]:
    """One worker per (peer, malloc setting), started one after the other."""
    workers = []
    for name in peers:
        missing = missing_module(PEERS[name])
        if missing:
            failures[name] = f"skipped: {missing} is not installed"
            continue
        for malloc in (False, True) if PEERS[name].malloc_too else (False,):
            label = name + ("+malloc" if malloc else "")
            print(f"starting {label} (building and warming up its models)", file=sys.stderr)
            try:
                workers.append(Worker(name, malloc, workloads))
            except WorkerDied as error:
                print(f"{label} failed to start: {error}", file=sys.stderr)
                failures[label] = f"failed to start: {error}"
    return workers


def matmul_peak() -> float:
    """GFLOP/s of a float32 PEAK_SIZE^2 @ PEAK_SIZE^2 torch.mm on all threads (median of 3)."""
    a, b = torch.randn(PEAK_SIZE, PEAK_SIZE), torch.randn(PEAK_SIZE, PEAK_SIZE)
    torch.mm(a, b)
    rates = []
    for _ in range(3):
        start = time.perf_counter()
        torch.mm(a, b)
        rates.append(2 * PEAK_SIZE ** 3 / (time.perf_counter() - start) / 1e9)
    return statistics.median(rates)


def measure(workers: list[Worker], workloads: list[Workload], repeats: int, steps: int):
    """Interleaved timings: {workload: {label: {"ms": [...], "path": str, "error": str}}},
    and the peak GFLOP/s of every repetition."""
    results = {w.name: {} for w in workloads}
    for worker in workers:
        for name, error in worker.errors.items():
            results[name][worker.label] = {"ms": [], "error": error}
    peaks = []
    for repeat in range(repeats):
        peaks.append(matmul_peak())
        for w in workloads:
            order = workers if repeat % 2 == 0 else workers[::-1]
            for worker in order:
                cell = results[w.name].setdefault(worker.label, {"ms": []})
                if "error" in cell or worker.process.poll() is not None:
                    continue
                try:
                    answer = worker.run(w.name, steps)
                except WorkerDied as error:
                    answer = {"error": f"crashed: {error}"}
                    print(f"{worker.label} {answer['error']}", file=sys.stderr)
                if "error" in answer:
                    cell["error"] = answer["error"]
                else:
                    cell["ms"].append(answer["ms"])
                    cell["path"] = answer["path"]
            times = "  ".join(f"{label} {c['ms'][-1]:.1f}"
                              for label, c in results[w.name].items() if c["ms"])
            print(f"[{repeat + 1}/{repeats}] {w.name}: {times} ms/step", file=sys.stderr)
    return results, peaks


# ---------------------------------------------------------------------- the report

def summarize(workloads, results, peak):
    """One row per workload: medians per column, best peer / seqlab, fraction of peak."""
    rows = []
    for w in workloads:
        medians = {label: statistics.median(c["ms"]) for label, c in results[w.name].items()
                   if c["ms"] and "error" not in c}
        peers = {label: ms for label, ms in medians.items() if not label.startswith("seqlab")}
        ours = medians.get("seqlab")
        best = min(peers, key=peers.get) if peers else None
        positions = int(make_batch(w).lengths.sum())
        row = {"workload": w.name, "ms": medians, "best_peer": best,
               "gflop": w.flops(positions) / 1e9,
               "path": results[w.name].get("seqlab", {}).get("path", "")}
        if ours and best:
            row["ratio"] = peers[best] / ours
        if ours:
            row["fraction_of_peak"] = w.flops(positions) / (ours / 1000) / (peak * 1e9)
        rows.append(row)
    return rows


def print_table(rows, labels, workloads, results):
    notes = {w.name: w.torch_note for w in workloads if w.torch_note}
    header = ["workload", *labels, "best/seqlab", "% peak", "seqlab path"]
    lines = []
    for row in rows:
        cells = [row["workload"]]
        for label in labels:
            cell = results[row["workload"]].get(label, {})
            mark = "*" if label.startswith("torch") and row["workload"] in notes else ""
            ms = row["ms"].get(label)
            cells.append("failed" if "error" in cell else f"{ms:.1f}{mark}" if ms else "-")
        ratio = f"{row['ratio']:.2f} {row['best_peer']}" if "ratio" in row else "-"
        fraction = row.get("fraction_of_peak")
        cells += [ratio, f"{100 * fraction:.1f}" if fraction else "-", row["path"] or "-"]
        lines.append(cells)
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header))]
    for cells in [header, *lines]:
        print(f"{cells[0]:<{widths[0]}}" + "".join(
            f"  {c:>{width}}" for c, width in zip(cells[1:], widths[1:])))
    for name, note in notes.items():
        if any(name == row["workload"] for row in rows):
            print(f"* {name}: {note}")
    failed = {}  # (column, error): workloads
    for row in rows:
        for label, cell in results[row["workload"]].items():
            if "error" in cell:
                failed.setdefault((label, cell["error"]), []).append(row["workload"])
    for (label, error), names in failed.items():
        print(f"failed: {label} on {', '.join(names)}: {error}")


def print_report(args, workers, workloads, results, peaks, failures):
    peak = statistics.median(peaks)
    labels = [worker.label for worker in workers]
    rows = summarize(workloads, results, peak)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; matmul peak "
          f"{peak:.0f} GFLOP/s (float32 {PEAK_SIZE}^3 torch.mm; median of {len(peaks)} "
          f"repetitions, from {min(peaks):.0f} to {max(peaks):.0f}: a wide range means a busy "
          f"machine); median of {args.repeats} x {args.steps} steps, ms per step")
    for worker in workers:
        versions = ", ".join(f"{m} {v}" for m, v in worker.versions.items())
        print(f"  {worker.label}: {versions}; torch threads {worker.threads}")
    for label, reason in failures.items():
        print(f"  {label}: {reason}")
    for w, row in zip(workloads, rows):
        print(f"  {w.name}: {w.describe()}; {row['gflop']:.2f} GFLOP/step")
    print()
    print_table(rows, labels, workloads, results)
    overheads = [row["ms"]["seqlab"] / row["ms"]["seqlab-loop"] for row, w in zip(rows, workloads)
                 if not w.inference and {"seqlab", "seqlab-loop"} <= row["ms"].keys()]
    if overheads:
        print(f"train_on_batch / bare torch loop over the same seqlab model: median "
              f"{statistics.median(overheads):.3f} (from {min(overheads):.3f} to "
              f"{max(overheads):.3f})")
    return {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "peak_gflops": peak, "peak_samples": peaks, "repeats": args.repeats,
            "steps": args.steps, "failures": failures, "rows": rows, "samples": results}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="interleaved repetitions (5)")
    parser.add_argument("--steps", type=int, default=10, help="steps timed per repetition (10)")
    parser.add_argument("--workloads", nargs="+", default=list(WORKLOADS),
                        help="names or prefixes (W1, W3-mask); default: all")
    parser.add_argument("--peers", nargs="+", choices=list(PEERS), default=list(PEERS))
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--worker", choices=list(PEERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    workloads = select_workloads(args.workloads)
    if args.worker:
        serve(args.worker, workloads)
        return
    failures = {}
    workers = start_workers(args.peers, workloads, failures)
    try:
        results, peaks = measure(workers, workloads, args.repeats, args.steps)
    finally:
        for worker in workers:
            worker.close()
    report = print_report(args, workers, workloads, results, peaks, failures)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
