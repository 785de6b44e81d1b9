"""Running word2vec training: the corpus cut into jobs, worker threads, progress display.

The main thread reads the corpus (a file or an iterable, never held in memory), packs
about `batch_words` tokens at a time into a job of int32 word ids, and queues it; worker
threads run the compiled kernel on jobs with the GIL released, all updating the same
matrices ("Hogwild", as word2vec.c and gensim). The queue is short, so at most a few
jobs exist at once.

Each job's random numbers come from (seed, job number) and its learning rates from its
position in the corpus, so with one worker the result is bit-identical from run to run;
with several, the order in which threads' updates land varies, and so do the vectors
(by about as much as changing the seed; quality does not).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass

from .._extensions import optional_extension
from .._log import say_once
from . import _word2vec_reference as reference

compiled, UNAVAILABLE_REASON = optional_extension(f"{__package__}._cword2vec",
                                                  "the compiled word2vec kernel")


def kernel(use_compiled: bool = True):
    """The module that encodes and trains jobs: the C kernel, or the Python reference
    (about a thousand times slower; said once) when the kernel is missing or not wanted."""
    if use_compiled and compiled is not None:
        return compiled
    if use_compiled:
        say_once(f"Word2Vec uses the pure-Python reference trainer, which is very slow: "
                 f"{UNAVAILABLE_REASON}", logging.WARNING)
    return reference


@dataclass
class Job:
    number: int
    epoch: int
    words: bytes       # int32 word ids of the job's sentences, out-of-vocabulary dropped
    ends: bytes        # int64 end offset of each sentence in words
    raw: int           # tokens read from the corpus for this job, kept or not
    alpha_start: float
    alpha_end: float


@dataclass
class TrainingReport:
    """What one call of ``Word2Vec.train`` did."""

    epochs: int
    raw_words: int      # tokens read, over all epochs
    trained_words: int  # tokens left after out-of-vocabulary removal and subsampling
    seconds: float

    @property
    def words_per_second(self) -> float:
        """Corpus tokens processed per second of training."""
        return self.raw_words / self.seconds if self.seconds else 0.0


def make_jobs(corpus, index, encode, epochs, batch_words, alpha_at):
    """Jobs of about `batch_words` tokens of whole sentences, epoch after epoch.

    `alpha_at(tokens_done)` is the learning rate after that many tokens of the whole run.
    """
    number = done = 0
    for epoch in range(epochs):
        batch, size = [], 0
        for sentence in _pieces(corpus):
            batch.append(sentence)
            size += len(sentence)
            if size >= batch_words:
                job = _job(number, epoch, batch, index, encode, done, alpha_at)
                yield job
                number, done, batch, size = number + 1, done + job.raw, [], 0
        if batch:
            job = _job(number, epoch, batch, index, encode, done, alpha_at)
            yield job
            number, done = number + 1, done + job.raw


MAX_SENTENCE = 10000  # gensim's MAX_WORDS_IN_BATCH: no training sentence is longer


def _pieces(corpus):
    """The sentences, those longer than MAX_SENTENCE tokens cut into consecutive pieces
    (as LineSentences cuts the lines of a corpus_file)."""
    for sentence in corpus:
        if len(sentence) <= MAX_SENTENCE:
            yield sentence
        else:
            for start in range(0, len(sentence), MAX_SENTENCE):
                yield sentence[start:start + MAX_SENTENCE]


def _job(number, epoch, batch, index, encode, done, alpha_at):
    words, ends, raw = encode(batch, index)
    return Job(number, epoch, words, ends, raw, alpha_at(done), alpha_at(done + raw))


def run(jobs, train_job, workers, display):
    """Train every job on `workers` threads; returns (raw words, trained words).

    `train_job(job)` trains one job and returns its count of trained words. A failure in
    a worker stops the run and is raised here; so is Ctrl-C, after the workers finish
    the job in hand (the vectors then hold the training done so far).
    """
    pending, results = queue.Queue(maxsize=2 * workers), queue.Queue()

    def work():
        while (job := pending.get()) is not None:
            try:
                results.put((job, train_job(job)))
            except BaseException as error:  # reported to the main thread, which stops
                results.put((job, error))

    threads = [threading.Thread(target=work, name=f"word2vec-{i}", daemon=True)
               for i in range(workers)]
    for thread in threads:
        thread.start()
    tally = _Tally(display)
    try:
        for job in jobs:
            tally.dispatched(job)
            while True:
                tally.collect(results, block=False)
                try:
                    pending.put(job, timeout=0.05)
                    break
                except queue.Full:
                    continue
        tally.all_dispatched()
        while not tally.done():
            tally.collect(results, block=True)
    finally:
        while True:  # drop queued jobs, then let each worker finish its own and leave
            try:
                pending.get_nowait()
            except queue.Empty:
                break
        for _ in threads:
            pending.put(None)
        for thread in threads:
            thread.join()
    return tally.raw, tally.trained


class _Tally:
    """Counts finished jobs per epoch, tells the display, and raises workers' errors."""

    def __init__(self, display):
        self.display = display
        self.sent, self.finished, self.raw_by_epoch = {}, {}, {}
        self.raw = self.trained = 0
        self.epoch = 0
        self.last_alpha = 0.0
        self.everything_sent = False

    def dispatched(self, job):
        self.epoch = job.epoch  # the epoch being read
        self.sent[job.epoch] = self.sent.get(job.epoch, 0) + 1

    def all_dispatched(self):
        self.everything_sent = True
        self._close_epochs()

    def done(self):
        return sum(self.finished.values()) == sum(self.sent.values())

    def collect(self, results, block):
        try:
            job, outcome = results.get(timeout=0.5) if block else results.get_nowait()
        except queue.Empty:
            return
        if isinstance(outcome, BaseException):
            raise outcome
        self.raw += job.raw
        self.trained += outcome
        self.last_alpha = job.alpha_end
        self.finished[job.epoch] = self.finished.get(job.epoch, 0) + 1
        self.raw_by_epoch[job.epoch] = self.raw_by_epoch.get(job.epoch, 0) + job.raw
        self.display.update(self.raw, self.trained, job.alpha_end)
        self._close_epochs()

    def _close_epochs(self):
        for epoch in sorted(self.sent):
            still_reading = epoch == self.epoch and not self.everything_sent
            if (still_reading or self.finished.get(epoch, 0) != self.sent[epoch]
                    or epoch in self.display.closed):
                continue
            self.display.epoch_end(epoch, self.raw_by_epoch[epoch], self.last_alpha)


class Display:
    """Progress of a training run: a live bar on a terminal (words/s, learning rate, time
    left) with ``verbose=1``; one line per epoch otherwise (or ``verbose=2``); nothing
    with ``verbose=0``."""

    def __init__(self, verbose, epochs, raw_per_epoch, console=None):
        from rich.console import Console
        self.verbose, self.epochs, self.raw_per_epoch = verbose, epochs, raw_per_epoch
        self.console = console or Console()
        self.closed = set()
        self._bar = None

    def __enter__(self):
        self._start = self._epoch_start = self._last_draw = time.perf_counter()
        self._trained_at_epoch_start = 0
        self._trained = 0
        if self.verbose == 1 and self.console.is_terminal:
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
            from rich.progress import TimeRemainingColumn
            self._bar = Progress(TextColumn("word2vec"), BarColumn(), TaskProgressColumn(),
                                 TimeRemainingColumn(), TextColumn("{task.fields[speed]}"),
                                 console=self.console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("", total=self.epochs * self.raw_per_epoch,
                                            speed="")
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()

    def update(self, raw, trained, alpha):
        self._trained = trained
        now = time.perf_counter()
        if self._bar is not None and now - self._last_draw > 0.1:
            speed = trained / (now - self._start)
            self._bar.update(self._task, completed=raw,
                             speed=f"{speed:,.0f} words/s  lr {alpha:.5f}")
            self._last_draw = now

    def epoch_end(self, epoch, raw, alpha):
        self.closed.add(epoch)
        now = time.perf_counter()
        seconds = now - self._epoch_start
        trained = self._trained - self._trained_at_epoch_start
        self._epoch_start, self._trained_at_epoch_start = now, self._trained
        if self.verbose:
            self.console.print(f"Epoch {epoch + 1}/{self.epochs} - {seconds:.1f}s - "
                               f"{raw:,} words read, {trained:,} trained - "
                               f"{trained / max(seconds, 1e-9):,.0f} words/s - lr {alpha:.5f}",
                               highlight=False, soft_wrap=True)
