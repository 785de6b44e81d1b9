"""one_hot / hashing_trick: MD5 golden values (from `md5sum`) and determinism across processes."""
import os
import subprocess
import sys

import pytest

from seqlab.text import hashing_trick, one_hot

# printf '%s' WORD | md5sum, as an integer, % 49 + 1:  the 43, cat 32, and 14, hat 39, café 41
GOLDEN_50 = {"the": 43, "cat": 32, "and": 14, "hat": 39, "café": 41}


def test_one_hot_is_md5_based():
    assert one_hot("The cat and the hat", 50) == [43, 32, 14, 43, 39]
    assert one_hot("Café!", 50) == [GOLDEN_50["café"]]
    assert hashing_trick("The cat", 50) == hashing_trick("The cat", 50, "md5") == [43, 32]


def test_indices_stay_in_range():
    indices = one_hot(" ".join(f"w{i}" for i in range(500)), 7)
    assert set(indices) == set(range(1, 7))  # 1..n-1, 0 is never used


def test_same_indices_in_every_process():
    code = "from seqlab.text import one_hot; print(one_hot('the cat and the hat', 1000003))"
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "random")
    }
    assert len(outputs) == 1


def test_custom_hash_and_analyzer():
    assert hashing_trick("b a b", 10, hash_function=len) == [2, 2, 2]
    assert hashing_trick("x-y", 5, hash_function=lambda w: 3, analyzer=list) == [4, 4, 4]
    assert one_hot("AB ab", 50, lower=False) == one_hot("AB", 50, lower=False) + one_hot("ab", 50)


@pytest.mark.parametrize("n", [1, 0, 2.0, None])
def test_bad_n(n):
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        one_hot("a", n)


def test_bad_hash_function_and_text():
    with pytest.raises(ValueError, match="hash_function must be None, 'md5' or a function"):
        hashing_trick("a", 10, hash_function="sha1")
    with pytest.raises(TypeError, match="is None"):
        one_hot(None, 10)
