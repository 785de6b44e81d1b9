"""pad_sequences: golden values by hand, Keras 2's quirks, and the errors."""
import numpy as np
import pytest

from seqlab.text import pad_sequences

SEQUENCES = [[1], [2, 3], [4, 5, 6]]


@pytest.mark.parametrize("args, expected", [
    ({}, [[0, 0, 1], [0, 2, 3], [4, 5, 6]]),
    ({"value": -1}, [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]),
    ({"padding": "post"}, [[1, 0, 0], [2, 3, 0], [4, 5, 6]]),
    ({"maxlen": 2}, [[0, 1], [2, 3], [5, 6]]),
    ({"maxlen": 2, "truncating": "post"}, [[0, 1], [2, 3], [4, 5]]),
    ({"maxlen": 4, "padding": "post"}, [[1, 0, 0, 0], [2, 3, 0, 0], [4, 5, 6, 0]]),
])
def test_padding_and_truncation(args, expected):
    result = pad_sequences(SEQUENCES, **args)
    assert result.dtype == np.int32
    np.testing.assert_array_equal(result, expected)


def test_dtype_and_value():
    assert pad_sequences([[1.5]], dtype="float32", maxlen=2, value=0.5).tolist() == [[0.5, 1.5]]
    assert pad_sequences([[7]], maxlen=2, value=0.5).tolist() == [[0, 7]]  # 0.5 cast to int32
    assert pad_sequences([[7.9]], maxlen=1).tolist() == [[7]]  # numpy's cast, as Keras


def test_strings_need_object_dtype():
    result = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert result.tolist() == [["a", "b"], ["<pad>", "c"]]
    with pytest.raises(ValueError, match="`dtype` int32 is not compatible with `value`'s type"):
        pad_sequences([["a"]], value="<pad>")


def test_empty_sequences():
    np.testing.assert_array_equal(pad_sequences([[], [1, 2]]), [[0, 0], [1, 2]])
    assert pad_sequences([[]]).shape == (1, 0)
    assert pad_sequences([[], []], maxlen=3).tolist() == [[0, 0, 0], [0, 0, 0]]
    assert pad_sequences([], maxlen=4).shape == (0, 4)
    with pytest.raises(ValueError, match="no sequences and maxlen=None"):
        pad_sequences([])


@pytest.mark.parametrize("truncating", ["pre", "post"])
def test_maxlen_zero_gives_zero_columns(truncating):
    assert pad_sequences(SEQUENCES, maxlen=0, truncating=truncating).shape == (3, 0)


def test_arrays_and_multi_feature_steps():
    np.testing.assert_array_equal(pad_sequences(np.array([[1, 2], [3, 4]]), maxlen=3),
                                  [[0, 1, 2], [0, 3, 4]])
    steps = pad_sequences([[[1, 2], [3, 4]], [[5, 6]]])
    assert steps.shape == (2, 2, 2)
    np.testing.assert_array_equal(steps[1], [[0, 0], [5, 6]])
    with pytest.raises(ValueError, match=r"Shape of sample \(3,\) of sequence at position 1 "
                                         r"is different from expected shape \(2,\)"):
        pad_sequences([[[1, 2]], [[1, 2, 3]]])


@pytest.mark.parametrize("args, message", [
    ({"padding": "middle"}, 'Padding type "middle" not understood: use padding="pre" or "post"'),
    ({"truncating": "end"}, 'Truncating type "end" not understood'),
    ({"maxlen": -1}, r"maxlen must be None or an int >= 0, got -1"),
    ({"maxlen": 2.5}, r"maxlen must be None or an int >= 0, got 2.5"),
])
def test_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        pad_sequences(SEQUENCES, **args)


def test_bad_sequences():
    with pytest.raises(ValueError, match=r"`sequences` must be iterable.*got generator.*list\("):
        pad_sequences(s for s in SEQUENCES)
    with pytest.raises(ValueError, match="must be a list of iterables. Found non-iterable: 1"):
        pad_sequences([1, 2])
    with pytest.raises(OverflowError):
        pad_sequences([[2 ** 40]])
