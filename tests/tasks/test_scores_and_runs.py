"""The building blocks of the recipes: classification scores (golden values worked out by
hand), run folders that appear whole or not at all, and the early settings checks."""
import json
import math
import re
from types import SimpleNamespace

import pytest

from seqlab.tasks._checks import check_settings
from seqlab.tasks._runs import check_output, read_json, run_folder, write_json
from seqlab.tasks._scores import classification_report

# --- classification_report ----------------------------------------------------------------

# Three classes a, b, c (supports 4, 3, 3); c is never predicted.
LABELS = ["a", "b", "c"]
TRUTH = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
PREDICTED = [0, 0, 1, 0, 1, 1, 0, 1, 0, 0]
# Worked out by hand, rows = true class, columns = predicted class:
#   true a -> predicted a, a, b, a       -> [3, 1, 0]
#   true b -> predicted b, b, a          -> [1, 2, 0]
#   true c -> predicted b, a, a          -> [2, 1, 0]
CONFUSION = [[3, 1, 0], [1, 2, 0], [2, 1, 0]]
# a: precision 3/(3+1+2) = 1/2, recall 3/4, F1 = 2(1/2)(3/4)/(1/2+3/4) = 3/5
# b: precision 2/(1+2+1) = 1/2, recall 2/3, F1 = 2(1/2)(2/3)/(1/2+2/3) = 4/7
# c: never predicted -> precision 0, recall 0/3 = 0, F1 0
PER_CLASS = {"a": {"precision": 0.5, "recall": 0.75, "f1": 0.6, "support": 4},
             "b": {"precision": 0.5, "recall": 2 / 3, "f1": 4 / 7, "support": 3},
             "c": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 3}}
ACCURACY = 5 / 10  # diagonal 3 + 2 + 0
MACRO_F1 = (3 / 5 + 4 / 7 + 0) / 3  # = 41/105


def test_report_golden_values():
    report = classification_report(TRUTH, PREDICTED, LABELS, majority_label=0)
    assert report["samples"] == 10
    assert report["accuracy"] == pytest.approx(ACCURACY, abs=1e-12)
    assert report["macro_f1"] == pytest.approx(MACRO_F1, abs=1e-12)
    assert report["macro_f1"] == pytest.approx(41 / 105, abs=1e-12)
    assert report["confusion_matrix"] == CONFUSION
    assert report["labels"] == LABELS
    assert set(report["per_class"]) == set(LABELS)
    for name, expected in PER_CLASS.items():
        got = report["per_class"][name]
        assert got["support"] == expected["support"]
        for key in ("precision", "recall", "f1"):
            assert got[key] == pytest.approx(expected[key], abs=1e-12), (name, key)


def test_report_majority_baseline_is_the_share_of_the_given_label():
    # 4 of 10 true labels are a, 3 are c.
    assert classification_report(TRUTH, PREDICTED, LABELS, 0)["majority_baseline_accuracy"] \
        == pytest.approx(0.4, abs=1e-12)
    report = classification_report(TRUTH, PREDICTED, LABELS, 2)
    assert report["majority_baseline_accuracy"] == pytest.approx(0.3, abs=1e-12)
    assert report["majority_label"] == "c"


def test_confusion_rows_are_true_columns_predicted():
    # one text of class a predicted as c: row a, column c
    report = classification_report([0], [2], LABELS, 0)
    assert report["confusion_matrix"] == [[0, 0, 1], [0, 0, 0], [0, 0, 0]]
    assert report["per_class"]["a"]["support"] == 1
    assert report["per_class"]["c"]["support"] == 0
    assert report["accuracy"] == 0.0


def test_never_predicted_class_has_precision_zero_not_nan():
    report = classification_report(TRUTH, PREDICTED, LABELS, 0)
    for name in LABELS:
        for key in ("precision", "recall", "f1"):
            assert not math.isnan(report["per_class"][name][key]), (name, key)
    assert report["per_class"]["c"]["precision"] == 0.0
    assert not math.isnan(report["macro_f1"])


def test_perfect_predictions():
    truth = [2, 0, 1, 1, 2]
    report = classification_report(truth, truth, LABELS, 1)
    assert report["accuracy"] == 1.0
    assert report["macro_f1"] == 1.0
    assert report["confusion_matrix"] == [[1, 0, 0], [0, 2, 0], [0, 0, 2]]
    assert report["majority_baseline_accuracy"] == pytest.approx(2 / 5, abs=1e-12)


def test_report_is_plain_json():
    import numpy as np

    report = classification_report(np.array(TRUTH), np.array(PREDICTED), LABELS, 0)
    assert json.loads(json.dumps(report)) == report  # no numpy scalars or arrays left


# --- run folders ---------------------------------------------------------------------------

def temp_folders(parent, name):
    return sorted(p.name for p in parent.glob(f".{name}.*.tmp"))


def test_run_folder_success_renames_temp_to_target(tmp_path):
    target = tmp_path / "runs" / "first"
    with run_folder(target) as work:
        assert work != target
        assert work.parent == target.parent
        assert re.fullmatch(r"\.first\..*\.tmp", work.name)
        assert work.is_dir() and not target.exists()
        (work / "a.txt").write_text("hello", encoding="utf-8")
    assert target.is_dir()
    assert (target / "a.txt").read_text(encoding="utf-8") == "hello"
    assert not work.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["first"]


def test_run_folder_error_leaves_nothing(tmp_path):
    target = tmp_path / "run"
    with pytest.raises(RuntimeError, match="boom"):
        with run_folder(target) as work:
            (work / "model.bin").write_bytes(b"x" * 10)
            raise RuntimeError("boom")
    assert not target.exists()
    assert temp_folders(tmp_path, "run") == []
    assert list(tmp_path.iterdir()) == []


def test_run_folder_keyboard_interrupt_leaves_nothing(tmp_path):
    target = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        with run_folder(target) as work:
            (work / "x").write_text("x")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_existing_target_without_overwrite_raises_before_writing(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    entered = False
    with pytest.raises(FileExistsError, match="overwrite"):
        with run_folder(target):
            entered = True
    assert not entered
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    with pytest.raises(FileExistsError):
        check_output(target)
    assert check_output(str(target), overwrite=True) == target


def test_overwrite_replaces_only_at_the_end(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with run_folder(target, overwrite=True) as work:
        (work / "new.txt").write_text("new", encoding="utf-8")
        # still the old contents while the body runs
        assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    assert sorted(p.name for p in target.iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_overwrite_keeps_old_contents_when_the_body_raises(tmp_path):
    target = tmp_path / "run"
    target.mkdir()
    (target / "old.txt").write_text("old", encoding="utf-8")
    with pytest.raises(ValueError, match="late failure"):
        with run_folder(target, overwrite=True) as work:
            (work / "new.txt").write_text("new", encoding="utf-8")
            raise ValueError("late failure")
    assert sorted(p.name for p in target.iterdir()) == ["old.txt"]
    assert (target / "old.txt").read_text(encoding="utf-8") == "old"
    assert temp_folders(tmp_path, "run") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_json_round_trip_with_numpy_values(tmp_path):
    import numpy as np

    path = tmp_path / "m.json"
    write_json(path, {"a": np.float32(0.5), "b": np.arange(3), "c": "ñandú"})
    assert read_json(path) == {"a": 0.5, "b": [0, 1, 2], "c": "ñandú"}
    with pytest.raises(TypeError, match="JSON"):
        write_json(tmp_path / "bad.json", {"x": object()})


def test_read_json_of_missing_file_names_the_folder(tmp_path):
    folder = tmp_path / "not_a_run"
    folder.mkdir()
    with pytest.raises(FileNotFoundError) as error:
        read_json(folder / "metrics.json")
    message = str(error.value)
    assert "metrics.json" in message
    assert f"is {folder} a seqlab run folder" in message


# --- check_settings ------------------------------------------------------------------------

def settings(**values):
    return SimpleNamespace(**values)


@pytest.mark.parametrize("value", [1, 7, 10**6])
def test_counts_accept_whole_numbers_from_one(value):
    check_settings(settings(epochs=value), counts=("epochs",))


@pytest.mark.parametrize("value", [0, -1, 2.0, 1.5, True, None, "3"])
def test_counts_reject_everything_else(value):
    with pytest.raises(ValueError, match=re.escape(f"epochs={value!r}")):
        check_settings(settings(epochs=value), counts=("epochs",))


@pytest.mark.parametrize("value", [0, 0.0, 0.5, 0.999])
def test_fractions_accept_zero_to_below_one(value):
    check_settings(settings(dropout=value), fractions=("dropout",))


@pytest.mark.parametrize("value", [1.0, 1, -0.1, 2, False, "0.5", None, float("nan")])
def test_fractions_reject_one_negative_and_non_numbers(value):
    with pytest.raises(ValueError, match=r"dropout must be a fraction in \[0, 1\)"):
        check_settings(settings(dropout=value), fractions=("dropout",))


def test_choices_list_the_allowed_names():
    allowed = ["pre", "post"]
    check_settings(settings(padding="post"), choices={"padding": allowed})
    with pytest.raises(ValueError) as error:
        check_settings(settings(padding="middle"), choices={"padding": allowed})
    assert "padding='middle'" in str(error.value)
    assert "pre, post" in str(error.value)


def test_checks_run_in_order_and_name_the_setting():
    config = settings(units=0, dropout=1.0, model="x")
    with pytest.raises(ValueError, match="units"):
        check_settings(config, counts=("units",), fractions=("dropout",),
                       choices={"model": ["y"]})
    with pytest.raises(ValueError, match="dropout"):
        check_settings(config, fractions=("dropout",), choices={"model": ["y"]})


def test_config_record_keeps_a_linked_data_path_as_given(tmp_path, monkeypatch):
    import dataclasses
    import os

    from seqlab.tasks._runs import config_record

    @dataclasses.dataclass
    class Config:
        data: str = ""
        vectors: str | None = None

    real = tmp_path / "real"
    real.mkdir()
    (real / "texts.csv").write_text("text,label\n")
    (tmp_path / "shared").symlink_to(real)  # ../shared as a link, as on some machines
    monkeypatch.chdir(tmp_path)
    record = config_record(Config(data="shared/texts.csv", vectors="missing.txt"))
    assert record["data"] == os.path.join(os.getcwd(), "shared", "texts.csv")
    assert record["vectors"] == "missing.txt"  # not a file: left as given
