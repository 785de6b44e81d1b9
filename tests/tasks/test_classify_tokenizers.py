"""The classify recipe's tokenizer choice (--tokenizer words|subword|morph|chars): each is
saved with the run and restored exactly by evaluate/predict; bad input fails clearly."""
import csv
import sys

import numpy as np
import pytest

from seqlab.models import load_model
from seqlab.tasks._classifiers import TOKENIZERS, build_tokenizer
from seqlab.tasks.classify import ClassifyConfig, evaluate, predict, train
from seqlab.text import KoreanAnalyzer, SubwordTokenizer, Tokenizer
from tests.helpers import shared_data

KOREAN = [("이 영화 정말 재미있다", 1), ("배우 연기가 최고였다", 1), ("감동적인 영화였어요", 1),
          ("재미없는거같다 지루하다", 0), ("최악의 영화 시간 낭비", 0), ("연기가 너무 별로였다", 0)]


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread():
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def korean_table(path, repeat=40):
    rng = np.random.default_rng(0)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["id", "document", "label"])
        for i in range(repeat * len(KOREAN)):
            text, label = KOREAN[rng.integers(len(KOREAN))]
            writer.writerow([i, text, label])
    return path


def config(tmp_path, tokenizer, **changes):
    settings = dict(data=str(korean_table(tmp_path / "reviews.tsv")), text_column="document",
                    tokenizer=tokenizer, model="lstm", maxlen=16, epochs=2, units=8,
                    embedding_dim=8, subword_vocab=300, output=str(tmp_path / "run"))
    return ClassifyConfig(**{**settings, **changes})


def test_build_tokenizer_kinds():
    assert isinstance(build_tokenizer("subword", subword_vocab=500), SubwordTokenizer)
    assert build_tokenizer("chars").char_level
    assert build_tokenizer("morph").analyzer == KoreanAnalyzer()
    words = build_tokenizer("words", num_words=50)
    assert isinstance(words, Tokenizer) and words.analyzer is None and words.num_words == 50
    with pytest.raises(ValueError, match="choose one of: words, subword, morph, chars"):
        build_tokenizer("bytes")
    assert list(TOKENIZERS) == ["words", "subword", "morph", "chars"]


@pytest.mark.parametrize("kind", ["subword", "morph", "chars"])
def test_the_run_folder_restores_the_same_tokenizer(tmp_path, kind):
    settings = config(tmp_path, kind)
    metrics = train(settings, verbose=0)
    fitted = build_tokenizer(kind, settings.num_words, settings.subword_vocab, settings.seed)
    fitted.fit_on_texts(load_train_texts(settings))
    restored = load_model(tmp_path / "run" / "model.safetensors").tokenizer
    assert type(restored) is type(fitted)
    texts = ["정말 재미있다 ☃", "지루한 영화였다"]
    assert restored.texts_to_sequences(texts) == fitted.texts_to_sequences(texts)
    assert restored.to_json() == fitted.to_json()
    assert evaluate(tmp_path / "run")["accuracy"] == metrics["accuracy"]
    assert len(predict(tmp_path / "run", texts)) == 2


def load_train_texts(settings):
    from seqlab.tasks.classify import load_data
    return load_data(settings)[0].texts


def test_texts_empty_after_tokenization_are_refused(tmp_path):
    path = tmp_path / "punctuation.csv"
    path.write_text("text,label\n" + "".join(f'"!!! ...",{i % 2}\n' for i in range(40)),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="every training text is empty after tokenization "
                                         "with --tokenizer words"):
        train(ClassifyConfig(data=str(path), output=str(tmp_path / "run"), epochs=1), verbose=0)
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("changes, match", [
    (dict(tokenizer="bpe"), r"tokenizer='bpe' is not one of: words, subword, morph, chars"),
    (dict(tokenizer="subword", subword_vocab=100), r"subword_vocab must be >= 300"),
    (dict(tokenizer="subword", vectors="v.txt"), r"--vectors holds word vectors"),
])
def test_bad_tokenizer_settings_fail_before_reading_data(tmp_path, changes, match):
    with pytest.raises(ValueError, match=match):
        train(ClassifyConfig(data=str(tmp_path / "absent.csv"), output=str(tmp_path / "r"),
                             **changes), verbose=0)


def test_nsmc_tsv_reads_with_the_table_reader():
    from seqlab.data import read_labeled

    path = shared_data("nsmc_sample/nsmc_sample_test.tsv")
    data = read_labeled(path, "document", "label")
    assert len(data) == 5000 and data.label_names == ["0", "1"]
    assert data.counts() == {"0": 2500, "1": 2500}


@pytest.mark.parametrize("kind, package, extra", [("morph", "kiwipiepy", "korean"),
                                                  ("subword", "sentencepiece", "subword")])
def test_a_missing_extra_is_named_before_reading_data(tmp_path, monkeypatch, kind, package,
                                                      extra):
    monkeypatch.setitem(sys.modules, package, None)  # import raises ImportError
    with pytest.raises(ImportError, match=rf'pip install "seqlab\[{extra}\]"'):
        train(ClassifyConfig(data=str(tmp_path / "absent.tsv"), tokenizer=kind,
                             output=str(tmp_path / "run")), verbose=0)
