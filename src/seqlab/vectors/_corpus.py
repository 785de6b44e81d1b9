"""Corpora for word2vec: a text file streamed line by line, or any restartable iterable."""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .._files import text_lines

_TOKEN = re.compile(r"\S+")  # what str.split() returns


class LineSentences:
    """A UTF-8 text file as a restartable stream of sentences: one sentence per line,
    tokens separated by whitespace (tokenize and lowercase beforehand). Nothing is kept
    in memory between lines; every ``iter()`` reads the file again.

    Lines longer than `max_sentence_length` tokens (10,000) are cut into consecutive
    pieces while they are read (gensim's LineSentence cuts at the same default), so one
    huge line can make neither one huge training job nor a list of all its tokens in
    memory.
    """

    def __init__(self, path, max_sentence_length: int = 10000):
        self.path = Path(os.fspath(path))
        if not self.path.is_file():
            raise FileNotFoundError(f"corpus file {self.path} does not exist (or is not a "
                                    "file): pass a UTF-8 text file, one sentence per line")
        if max_sentence_length < 1:
            raise ValueError(f"max_sentence_length must be at least 1, got {max_sentence_length}")
        self.max_sentence_length = max_sentence_length

    def __iter__(self):
        step = self.max_sentence_length
        for line in text_lines(self.path):
            if len(line) < 8 * step:  # cannot hold more than `step` tokens... mostly
                tokens = line.split()
                if len(tokens) <= step:
                    yield tokens
                    continue
            # A long line is cut while it is read, so memory holds one piece, not a list
            # of every token of a 10-million-word line (gensim cuts at 10,000 too).
            piece = []
            for match in _TOKEN.finditer(line):
                piece.append(match[0])
                if len(piece) == step:
                    yield piece
                    piece = []
            if piece:
                yield piece

    def __repr__(self):
        return f"LineSentences({str(self.path)!r})"


def restartable_corpus(sentences=None, corpus_file=None):
    """The corpus as an iterable that can be read several times (once to count the words,
    once per epoch), or a clear error saying what to pass instead."""
    if (sentences is None) == (corpus_file is None):
        raise ValueError("pass exactly one of sentences= (lists of str tokens) or "
                         "corpus_file= (a text file, one sentence per line)")
    if corpus_file is not None:
        return LineSentences(corpus_file)
    if isinstance(sentences, (str, bytes)):
        raise TypeError("sentences is a single string: pass a list of sentences, each a list "
                        "of tokens (e.g. [line.split() for line in lines]), or corpus_file=path")
    if not isinstance(sentences, Iterable):
        raise TypeError(f"sentences must be an iterable of token lists, got "
                        f"{type(sentences).__name__}")
    if isinstance(sentences, Iterator):  # iter() on it would return itself
        raise TypeError("sentences is an iterator (e.g. a generator), which can be read only "
                        "once; word2vec reads the corpus once to count words and once per "
                        "epoch: pass a list, or an object whose __iter__ starts a new pass "
                        "(e.g. seqlab.vectors.LineSentences(path))")
    return sentences
