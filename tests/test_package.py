"""The public surface: names listed once, and the text tools usable without torch."""
import subprocess
import sys

import seqlab
import seqlab.text


def test_public_names_exist_and_are_listed_once():
    for module in (seqlab, seqlab.text):
        assert len(module.__all__) == len(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_keras_import_paths_map_one_to_one():
    # from keras.preprocessing.text import Tokenizer -> from seqlab.text import Tokenizer
    keras_names = {"Tokenizer", "tokenizer_from_json", "text_to_word_sequence", "one_hot",
                   "hashing_trick", "pad_sequences", "to_categorical"}
    assert keras_names <= set(seqlab.text.__all__)
    assert keras_names <= set(seqlab.__all__)


def test_text_does_not_import_torch():
    code = "import sys, seqlab.text; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
