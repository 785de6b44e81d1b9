"""Benchmark: Keras 2 text preprocessing vs seqlab.text, side by side in one process.

Workload (issue 2): the 50,000 labelled IMDB reviews (train + test, ~230 words each),
``Tokenizer(num_words=10000).fit_on_texts`` + ``texts_to_sequences`` +
``pad_sequences(maxlen=200)``. Both peers must produce identical outputs (checked).
Repetitions alternate the order of the peers so machine noise hits both alike; the
table shows medians and the ratio seqlab / Keras (the bar: <= 1/3).

The Keras 2 peer is TF-Keras 2 (``tf_keras``) when TensorFlow is installed, otherwise
``keras-preprocessing`` (Keras 2's text module as a standalone package, the code
tf.keras used; installed by ``pip install -e '.[dev]'``). The output says which.

    python bench/bench_text.py                  # 50,000 reviews, 5 repetitions
    python bench/bench_text.py --memory         # also peak memory, in fresh processes
"""
from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
STAGES = ("fit_on_texts", "texts_to_sequences", "pad_sequences")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=50_000, help="reviews to use (50000)")
    parser.add_argument("--repeats", type=int, default=5, help="repetitions per peer (5)")
    parser.add_argument("--num-words", type=int, default=10_000)
    parser.add_argument("--maxlen", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--memory", action="store_true",
                        help="also measure peak memory of each peer in a fresh process")
    parser.add_argument("--child", choices=["keras", "seqlab"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    texts = imdb_reviews(args.data, args.docs)
    if args.child:
        print(json.dumps(peak_memory(args.child, texts, args)))
        return
    peers = {"keras": keras_pipeline(), "seqlab": seqlab_pipeline()}
    print(f"{len(texts):,} IMDB reviews, {sum(len(t.split()) for t in texts) / len(texts):.0f} "
          f"whitespace words each on average; num_words={args.num_words}, maxlen={args.maxlen}")
    print(f"Keras 2 peer: {KERAS_NAME}")
    check_identical(peers, texts, args)

    times = {peer: {stage: [] for stage in STAGES} for peer in peers}
    for repeat in range(args.repeats):
        order = list(peers) if repeat % 2 == 0 else list(reversed(peers))
        for peer in order:
            gc.collect()
            for stage, seconds in run(peers[peer], texts, args)[1].items():
                times[peer][stage].append(seconds)
    report(times, args)
    if args.memory:
        report_memory(args)


# ---------------------------------------------------------------------- peers

KERAS_NAME = ""


def keras_pipeline():
    global KERAS_NAME
    try:
        from tf_keras.preprocessing.sequence import pad_sequences
        from tf_keras.preprocessing.text import Tokenizer
        import tf_keras
        KERAS_NAME = f"tf_keras {tf_keras.__version__} (TF-Keras 2)"
    except ImportError:
        try:
            from importlib.metadata import version

            from keras_preprocessing.text import Tokenizer
            from keras_preprocessing import sequence
        except ImportError:
            sys.exit("No Keras 2 implementation found: pip install -e '.[dev]' "
                     "(installs keras-preprocessing)")
        if not hasattr(np, "unicode_"):  # keras-preprocessing reads it; gone in NumPy 2
            np.unicode_ = np.str_
        pad_sequences = sequence.pad_sequences
        KERAS_NAME = (f"keras-preprocessing {version('keras-preprocessing')} (Keras 2's text "
                      "module; tf.keras used this code)")
    return Tokenizer, pad_sequences


def seqlab_pipeline():
    from seqlab.text import Tokenizer, pad_sequences
    return Tokenizer, pad_sequences


def run(pipeline, texts, args):
    """One fit + convert + pad; returns the outputs and each stage's seconds."""
    Tokenizer, pad_sequences = pipeline
    seconds = {}
    start = time.perf_counter()
    tokenizer = Tokenizer(num_words=args.num_words)
    tokenizer.fit_on_texts(texts)
    seconds["fit_on_texts"] = time.perf_counter() - start
    start = time.perf_counter()
    sequences = tokenizer.texts_to_sequences(texts)
    seconds["texts_to_sequences"] = time.perf_counter() - start
    start = time.perf_counter()
    padded = pad_sequences(sequences, maxlen=args.maxlen)
    seconds["pad_sequences"] = time.perf_counter() - start
    return (tokenizer, sequences, padded), seconds


def check_identical(peers, texts, args):
    (k_tok, k_seq, k_pad), _ = run(peers["keras"], texts, args)
    (s_tok, s_seq, s_pad), _ = run(peers["seqlab"], texts, args)
    same = (list(k_tok.word_counts.items()) == list(s_tok.word_counts.items())
            and k_tok.word_index == s_tok.word_index and dict(k_tok.word_docs) ==
            dict(s_tok.word_docs) and k_seq == s_seq and np.array_equal(k_pad, s_pad)
            and k_pad.dtype == s_pad.dtype)
    if not same:
        sys.exit("FAIL: seqlab's output differs from Keras 2's")
    print(f"outputs identical: word_counts, word_index, word_docs, {len(s_seq):,} sequences, "
          f"padded {s_pad.dtype} {s_pad.shape}")


# --------------------------------------------------------------------- report

def report(times, args):
    print(f"\nmedian of {args.repeats} interleaved runs (seconds)")
    print(f"{'stage':<22}{'Keras 2':>10}{'seqlab':>10}{'seqlab/Keras':>15}")
    for stage in STAGES:
        keras, ours = (statistics.median(times[p][stage]) for p in ("keras", "seqlab"))
        print(f"{stage:<22}{keras:>10.3f}{ours:>10.3f}{ours / keras:>15.3f}")
    totals = {p: [sum(run) for run in zip(*times[p].values())] for p in times}
    keras, ours = (statistics.median(totals[p]) for p in ("keras", "seqlab"))
    ratio = ours / keras
    print(f"{'total':<22}{keras:>10.3f}{ours:>10.3f}{ratio:>15.3f}")
    per_run = [s / k for s, k in zip(totals["seqlab"], totals["keras"])]
    print(f"total ratio per run: {', '.join(f'{r:.3f}' for r in per_run)}")
    verdict = "PASS" if ratio <= 1 / 3 else "FAIL"
    print(f"{verdict}: seqlab takes {ratio:.3f}x Keras 2's time ({1 / ratio:.1f}x faster); "
          "the bar is <= 0.333x")


def report_memory(args):
    print("\npeak memory above the loaded texts, each in a fresh process (MiB)")
    print(f"{'texts':>8}{'Keras 2':>10}{'seqlab':>10}")
    for docs in (args.docs // 2, args.docs):
        row = []
        for peer in ("keras", "seqlab"):
            command = [sys.executable, __file__, "--child", peer, "--docs", str(docs),
                       "--num-words", str(args.num_words), "--maxlen", str(args.maxlen),
                       "--data", str(args.data)]
            output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            row.append(json.loads(output.splitlines()[-1])["extra_mib"])
        print(f"{docs:>8,}{row[0]:>10.0f}{row[1]:>10.0f}")


def peak_memory(peer, texts, args):
    """Peak resident memory of one run above what the process held before it (MiB).

    Reads Linux's VmHWM after resetting it: ru_maxrss would do elsewhere, but on Linux
    it survives exec, so a child of this (large) process would inherit its peak."""
    pipeline = keras_pipeline() if peer == "keras" else seqlab_pipeline()
    gc.collect()
    before = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    outputs, _ = run(pipeline, texts, args)
    return {"peer": peer, "extra_mib": (_status_kib("VmHWM") - before) / 1024}


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field} (the memory report needs Linux)")


# ----------------------------------------------------------------------- data

def imdb_reviews(data: Path, count: int) -> list[str]:
    """The first `count` labelled reviews (train and test, pos and neg) of aclImdb_v1.tar.gz."""
    archive_path = data / "imdb" / "aclImdb_v1.tar.gz"
    if not archive_path.exists():
        sys.exit(f"{archive_path} not found: pass --data with the shared data folder")
    review = re.compile(r"aclImdb/(train|test)/(pos|neg)/\d+_\d+\.txt$")
    texts = []
    with tarfile.open(archive_path) as archive:
        for member in archive:
            if member.isfile() and review.match(member.name):
                texts.append(archive.extractfile(member).read().decode("utf-8"))
                if len(texts) == count:
                    break
    return texts


if __name__ == "__main__":
    main()
