"""A classify run folder edited by hand, and label columns that cannot mean classes:
refused with a sentence naming the file and the fix (issue 16)."""
import json
import shutil

import pytest

from seqlab.data import read_labeled
from seqlab.tasks.classify import ClassifyConfig, evaluate, predict, train


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    folder = tmp_path_factory.mktemp("classify") / "run"
    train(ClassifyConfig(limit=300, model="bow", maxlen=16, epochs=1, units=4,
                         embedding_dim=8, output=str(folder)), verbose=0)
    torch.set_num_threads(threads)
    return folder


def edited(run, tmp_path, change):
    copy = tmp_path / "edited"
    shutil.copytree(run, copy)
    path = copy / "config.json"
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))
    return copy


@pytest.mark.parametrize("change, message", [
    (lambda r: r.update(label_names=None), r"label_names must be the list of class names"),
    (lambda r: r.update(label_names=["a", "b", "c"]), r"names 3 classes .* outputs 2"),
    (lambda r: r.update(label_names=["pos"]), r"names 1 classes .* outputs 2"),
    (lambda r: r.update(label_names=["x", "x"]), r"repeats a name"),
    (lambda r: r.update(maxlen=40), r"says maxlen=40, but the model was trained with "
                                    r"maxlen=16"),
    (lambda r: r.update(padding="middle"), r"padding='middle' is not one of"),
    (lambda r: r.update(maxlen="16"), r"maxlen must be a whole number"),
    (lambda r: r.update(padding="post"), r"says padding='post', but the model was trained "
                                         r"with padding='pre'"),
    (lambda r: r.update(label_names=r["label_names"][::-1]), r"says label_names=\['positive', "
                                                             r"'negative'\], but the model"),
])
def test_an_edited_config_json_is_refused(run, tmp_path, change, message):
    folder = edited(run, tmp_path, change)
    with pytest.raises(ValueError, match=r"edited/config.json.*" + message):
        predict(folder, ["a fine film"])


def test_a_config_json_that_is_not_json(run, tmp_path):
    copy = tmp_path / "broken"
    shutil.copytree(run, copy)
    (copy / "config.json").write_text('{"maxlen": 16,')
    with pytest.raises(ValueError, match=r"broken/config.json is not valid JSON \(line 1"):
        evaluate(copy)


def test_swapped_columns_are_refused_with_a_hint(tmp_path):
    path = tmp_path / "swapped.csv"
    rows = [f"review number {i} was {'good' if i % 2 else 'bad'},{'pos' if i % 2 else 'neg'}"
            for i in range(40)]
    path.write_text("text,label\n" + "\n".join(rows) + "\n")
    config = ClassifyConfig(data=str(path), text_column="label", label_column="text",
                            model="bow", epochs=1, output=str(tmp_path / "run"))
    with pytest.raises(ValueError, match=r"every one of the \d+ values of the label column "
                                         r"'text' is different.*columns swapped"):
        train(config, verbose=0)
    assert not (tmp_path / "run").exists()


def test_numeric_labels_spelled_differently_are_one_class(tmp_path, caplog):
    path = tmp_path / "numbers.csv"
    path.write_text("text,label\na,1\nb,01\nc,1.0\nd,0\ne,+0\nf,10\n")
    data = read_labeled(path)
    assert data.label_names == ["0", "1", "10"]
    assert data.labels.tolist() == [1, 1, 1, 0, 0, 2]
    assert "'01', '1', '1.0' are the same number" in caplog.text
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("text,label\na,1\nb,01\nc,one\n")
    assert read_labeled(mixed).label_names == ["01", "1", "one"]  # words: strings as given


def test_a_field_longer_than_128_kib_is_read(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('text,label\n"' + "word " * 40000 + '",pos\nshort,neg\n')
    assert len(read_labeled(path).texts[0]) == 200000
