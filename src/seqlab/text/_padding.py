"""``pad_sequences``: Keras 2's padding and truncation."""
from __future__ import annotations

import numpy as np

_SIDES = ("pre", "post")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pad (and truncate) sequences to one length, as ``keras.preprocessing.sequence``.

    Args:
        sequences: a list (or array) of sequences; each a list of numbers, or of
            equal-shaped arrays for multi-feature steps.
        maxlen: output length; ``None`` uses the longest sequence.
        dtype: output dtype (``object`` for variable-length strings).
        padding: ``'pre'`` (Keras's default: pad at the start) or ``'post'``.
        truncating: drop values from the start (``'pre'``) or end (``'post'``)
            of sequences longer than ``maxlen``.
        value: the padding value.

    Returns:
        An array of shape ``(len(sequences), maxlen) + sample_shape``.

    Empty sequences become rows of ``value``. ``maxlen=0`` gives zero columns
    (Keras 2 raised a broadcasting error there with ``truncating='pre'``).

    >>> pad_sequences([[1], [2, 3], [4, 5, 6]])
    array([[0, 0, 1],
           [0, 2, 3],
           [4, 5, 6]], dtype=int32)
    >>> pad_sequences([[1], [2, 3], [4, 5, 6]], maxlen=2, padding="post", truncating="post")
    array([[1, 0],
           [2, 3],
           [4, 5]], dtype=int32)
    >>> pad_sequences([[], [7]], value=-1)
    array([[-1],
           [ 7]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            f"`sequences` must be iterable: a list or array with a length, got "
            f"{type(sequences).__name__}. Convert it first: pad_sequences(list(sequences)).")
    if padding not in _SIDES:
        raise ValueError(f'Padding type "{padding}" not understood: use padding="pre" or "post".')
    if truncating not in _SIDES:
        raise ValueError(f'Truncating type "{truncating}" not understood: use truncating="pre" '
                         'or "post".')
    lengths, sample_shape = _lengths_and_sample_shape(sequences)
    maxlen = _checked_maxlen(maxlen, lengths)
    is_dtype_str = np.issubdtype(dtype, np.str_)
    if isinstance(value, str) and dtype != object and not is_dtype_str:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
                         "You should set `dtype=object` for variable length strings.")
    x = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return x
    # Row by row, as Keras: numpy converts each row in one call. (Gathering all
    # values into one array and scattering it with a mask measured no faster.)
    for position, sequence in enumerate(sequences):
        if not len(sequence):
            continue
        try:
            kept = np.asarray(_kept(sequence, maxlen, truncating), dtype=x.dtype)
        except (TypeError, ValueError) as error:
            raise ValueError(f"pad_sequences: the sequence at position {position} cannot be "
                             f"read as {np.dtype(x.dtype).name} steps of shape {sample_shape} "
                             f"({error}); pass integer indices (texts_to_sequences), steps of "
                             "one shape, or dtype=object for strings") from None
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {position} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            x[position, :len(kept)] = kept
        else:
            x[position, maxlen - len(kept):] = kept
    return x


def _lengths_and_sample_shape(sequences):
    lengths, sample_shape = [], None
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {x}") \
                from None
        if sample_shape is None and len(x):
            try:  # the first non-empty sequence sets it
                sample_shape = np.asarray(x).shape[1:]
            except ValueError:
                raise ValueError(f"pad_sequences: the steps of the sequence at position "
                                 f"{len(lengths) - 1} have different shapes; every step must "
                                 "have one shape (e.g. all numbers, or all vectors of one "
                                 "length)") from None
    return lengths, sample_shape or ()


def _checked_maxlen(maxlen, lengths):
    if maxlen is None:
        if not lengths:
            raise ValueError("pad_sequences got no sequences and maxlen=None, so the output "
                             "length is unknown: pass maxlen= to get an empty (0, maxlen) array.")
        return int(max(lengths))
    if isinstance(maxlen, bool) or not isinstance(maxlen, (int, np.integer)) or maxlen < 0:
        raise ValueError(f"maxlen must be None or an int >= 0, got {maxlen!r}.")
    return int(maxlen)


def _kept(sequence, maxlen, truncating):
    return sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
