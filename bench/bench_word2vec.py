"""Benchmark: seqlab's Word2Vec against gensim's, same corpus, same settings, one run.

Workload (issue 5): the IMDB reviews of ../shared/data (train + unsup, 75,000 reviews),
``<br />`` removed, lowercased, split into words and punctuation marks (20.2 million
tokens); vector_size 100, window 5, negative 5, min_count 5, sample 1e-3, 2 workers,
5 epochs, CBOW and skip-gram.

Peers, each trained in a fresh process (so that peak memory is its own), interleaved
run by run so machine noise hits all alike:
  seqlab       Word2Vec(corpus_file=...): the file streamed line by line
  gensim       gensim 4.4 Word2Vec(LineSentence(file)): the same streaming input
  gensim-file  gensim 4.4 Word2Vec(corpus_file=file): gensim's own file reader in C++

Reported per model: training seconds (build_vocab excluded, it is a separate call in
both libraries) and tokens/s; the ratio seqlab / fastest gensim (bar: >= 1.0); analogy
accuracy on questions-words.txt and WordSim-353 Spearman, both computed by the same
evaluator (seqlab's) for every peer (bar: no worse than gensim's - 0.02); peak memory
of the whole process (bar: <= 1.5x gensim's) and the part the training added.

    pip install gensim==4.4.0            # the peer; not a seqlab dependency
    python bench/bench_word2vec.py                         # 1 seed, ~15 minutes
    python bench/bench_word2vec.py --seeds 1 2 3 --models sg
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
PEERS = ("seqlab", "gensim", "gensim-file")
SETTINGS = dict(vector_size=100, window=5, negative=5, min_count=5, sample=1e-3)
TOKEN = re.compile(r"[\w']+|[^\w\s]")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", nargs="+", choices=["cbow", "sg"], default=["cbow", "sg"])
    parser.add_argument("--peers", nargs="+", choices=PEERS, default=list(PEERS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[1])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "seqlab",
                        help="where the tokenized corpus file is written once (~95 MB)")
    parser.add_argument("--child", nargs=3, metavar=("PEER", "MODEL", "SEED"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()

    corpus = corpus_file(args.data, args.cache)
    if args.child:
        peer, model, seed = args.child
        print(json.dumps(train_and_evaluate(peer, model, int(seed), corpus, args)))
        return
    print(f"corpus: {corpus} ({corpus.stat().st_size / 2**20:.0f} MiB); {SETTINGS}, "
          f"workers={args.workers}, epochs={args.epochs}")
    results = []
    for number, seed in enumerate(args.seeds):
        for model in args.models:
            order = args.peers if number % 2 == 0 else list(reversed(args.peers))
            for peer in order:
                result = run_child(peer, model, seed, args)
                results.append(result)
                print(f"  {model} seed {seed} {peer:<12} {result['train_seconds']:7.1f} s  "
                      f"analogy {result['analogy']:.4f}  wordsim {result['wordsim']:.4f}  "
                      f"peak {result['peak_mib']:.0f} MiB", flush=True)
    report(results, args)


def run_child(peer, model, seed, args):
    command = [sys.executable, __file__, "--child", peer, model, str(seed),
               "--epochs", str(args.epochs), "--workers", str(args.workers),
               "--data", str(args.data), "--cache", str(args.cache)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{peer} {model} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def train_and_evaluate(peer, model, seed, corpus, args):
    """Train one peer in this (fresh) process; memory is read before evaluation starts."""
    sg = int(model == "sg")
    start_rss = _status_mib("VmRSS")
    if peer == "seqlab":
        from seqlab.vectors import Word2Vec
        trainer = Word2Vec(sg=sg, epochs=args.epochs, workers=args.workers, seed=seed,
                           verbose=0, **SETTINGS)
        imported_rss = _status_mib("VmRSS")
        trainer.build_vocab(corpus_file=corpus)
        start = time.perf_counter()
        trainer.train(corpus_file=corpus)
        seconds = time.perf_counter() - start
        words, vectors = trainer.wv.index_to_key, trainer.wv.vectors
        raw = trainer.corpus_word_count
    else:
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence
        trainer = Word2Vec(sg=sg, epochs=args.epochs, workers=args.workers, seed=seed,
                           **SETTINGS)
        imported_rss = _status_mib("VmRSS")
        source = ({"corpus_file": str(corpus)} if peer == "gensim-file"
                  else {"corpus_iterable": LineSentence(str(corpus))})
        trainer.build_vocab(**source)
        start = time.perf_counter()
        trainer.train(**source, total_examples=trainer.corpus_count,
                      total_words=trainer.corpus_total_words, epochs=args.epochs)
        seconds = time.perf_counter() - start
        words, vectors = trainer.wv.index_to_key, trainer.wv.vectors
        raw = trainer.corpus_total_words
    peak = _status_mib("VmHWM")
    from seqlab.vectors import KeyedVectors
    vectors = KeyedVectors(words, vectors)
    analogies = vectors.evaluate_analogies(args.data / "word_benchmarks" / "questions-words.txt")
    pairs = vectors.evaluate_word_pairs(args.data / "word_benchmarks" / "wordsim353.tsv")
    return {"peer": peer, "model": model, "seed": seed, "train_seconds": seconds,
            "raw_words": raw, "vocabulary": len(words), "tokens_per_second":
            raw * args.epochs / seconds, "peak_mib": peak, "training_mib": peak - imported_rss,
            "start_mib": start_rss, "analogy": analogies.accuracy,
            "wordsim": pairs.spearman.statistic, "wordsim_oov": pairs.oov_ratio}


def report(results, args):
    print()
    header = (f"{'model':<6}{'peer':<13}{'train s':>9}{'tokens/s':>12}{'speed':>8}"
              f"{'analogy':>9}{'Δ':>8}{'wordsim':>9}{'Δ':>8}{'peak MiB':>10}{'×':>6}"
              f"{'train MiB':>11}")
    print(header)
    print("-" * len(header))
    for model in args.models:
        rows = {}
        for peer in args.peers:
            runs = [r for r in results if r["model"] == model and r["peer"] == peer]
            rows[peer] = {key: statistics.median(r[key] for r in runs) for key in
                          ("train_seconds", "tokens_per_second", "analogy", "wordsim",
                           "peak_mib", "training_mib")}
        gensims = [p for p in rows if p != "seqlab"]
        fastest = max(gensims, key=lambda p: rows[p]["tokens_per_second"]) if gensims else None
        for peer, row in rows.items():
            ref = rows[fastest] if fastest else row
            best = {key: max(rows[p][key] for p in gensims) if gensims else row[key]
                    for key in ("analogy", "wordsim")}
            lowest_peak = min(rows[p]["peak_mib"] for p in gensims) if gensims else row["peak_mib"]
            print(f"{model:<6}{peer:<13}{row['train_seconds']:>9.1f}"
                  f"{row['tokens_per_second']:>12,.0f}"
                  f"{row['tokens_per_second'] / ref['tokens_per_second']:>7.2f}×"
                  f"{row['analogy']:>9.4f}{row['analogy'] - best['analogy']:>+8.4f}"
                  f"{row['wordsim']:>9.4f}{row['wordsim'] - best['wordsim']:>+8.4f}"
                  f"{row['peak_mib']:>10.0f}{row['peak_mib'] / lowest_peak:>6.2f}"
                  f"{row['training_mib']:>11.0f}")
    print(f"\nmedians over seeds {args.seeds}; speed: tokens/s relative to the fastest gensim "
          "peer; Δ: against the best gensim figure; ×: peak memory relative to the lower "
          "gensim peak.")


def corpus_file(data: Path, cache: Path) -> Path:
    """The tokenized corpus, one review per line, written once (atomically) to `cache`."""
    path = cache / "imdb_train_unsup_tokens.txt"
    if path.exists():
        return path
    sys.path.insert(0, str(ROOT / "src"))
    from seqlab.data import load_imdb_splits
    print(f"writing the tokenized corpus to {path} (once) ...", file=sys.stderr)
    splits = load_imdb_splits(data / "imdb" / "aclImdb_v1.tar.gz", ("train", "unsup"), clean=True)
    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    with open(partial, "w", encoding="utf-8") as out:
        for split in ("train", "unsup"):
            for text in splits[split].texts:
                out.write(" ".join(TOKEN.findall(text.lower())) + "\n")
    partial.replace(path)
    return path


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/self/status has no {field} (the memory report needs Linux)")


if __name__ == "__main__":
    main()
