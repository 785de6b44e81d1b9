"""The dataset readers on the real published files in ../shared/data, and every error path
on small files written in tmp_path."""
import json
import re
import tarfile

import numpy as np
import pytest

from seqlab.data._types import LabeledTexts, TimeSeries
from seqlab.data.imdb import load_imdb, load_imdb_splits
from seqlab.data.sarcasm import load_sarcasm
from seqlab.data.tables import read_labeled
from seqlab.data.timeseries import read_series
from tests.helpers import imdb_reviews, sarcasm_headlines, shared_data

IMDB = "imdb/aclImdb_v1.tar.gz"
SARCASM = "sarcasm/Sarcasm_Headlines_Dataset.json"
JENA_HOURLY = "jena/jena_climate_hourly_6vars_2009_2016.csv"
JENA_10MIN = "jena/jena_climate_10min_excerpt_2009-01.csv"


def write(path, text, encoding="utf-8", newline=None):
    with open(path, "w", encoding=encoding, newline=newline) as file:
        file.write(text)
    return path


# --- the result types ---------------------------------------------------------------------

def test_labeled_texts_counts_subset_and_checks():
    data = LabeledTexts(["a", "b", "c", "d"], [1, 0, 1, -1], ["neg", "pos"], "demo",
                        ratings=np.array([9, 2, 8, 0]))
    assert data.labels.dtype == np.int64 and len(data) == 4
    assert data.counts() == {"neg": 1, "pos": 2, "unlabeled": 1}
    part = data.subset([2, 1])
    assert part.texts == ["c", "b"] and part.labels.tolist() == [1, 0]
    assert part.ratings.tolist() == [8, 2] and part.label_names == ["neg", "pos"]
    assert data.subset(data.labels == 1).texts == ["a", "c"]
    assert LabeledTexts(["x"], [0], ["only", "other"], "demo").counts() == {"only": 1, "other": 0}
    with pytest.raises(ValueError, match="got 2 texts but 1 labels"):
        LabeledTexts(["a", "b"], [0], ["neg", "pos"], "demo")
    with pytest.raises(ValueError, match="got label 2 but there are 2 label_names"):
        LabeledTexts(["a"], [2], ["neg", "pos"], "demo")


def test_time_series_columns():
    series = TimeSeries(None, [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]], ["a", "b"], "demo.csv")
    assert len(series) == 3 and series.values.dtype == np.float64
    assert series.index_of("b") == 1
    assert series.column("b").tolist() == [10.0, 20.0, 30.0]
    assert series.column(-2).tolist() == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError,
                       match=r"demo.csv has no column 'c'; its columns are \['a', 'b'\]"):
        series.column("c")
    with pytest.raises(IndexError, match="column index 2 is out of range: demo.csv has 2"):
        series.column(2)
    with pytest.raises(ValueError, match=r"values of shape \(3, 2\) for 3 columns"):
        TimeSeries(None, series.values, ["a", "b", "c"], "demo")


# --- IMDB ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def imdb():
    """All three splits of the real tarball, read in one pass for the whole module."""
    return load_imdb_splits(shared_data(IMDB), ("train", "test", "unsup"))


@pytest.mark.parametrize("split", ["train", "test"])
def test_imdb_labelled_splits_match_the_published_counts(imdb, split):
    data = imdb[split]
    assert len(data) == 25_000 and data.counts() == {"neg": 12_500, "pos": 12_500}
    assert data.label_names == ["neg", "pos"] and data.labels.dtype == np.int64
    assert data.labels.tolist() == [0] * 12_500 + [1] * 12_500  # neg first, then pos
    assert sorted(set(data.ratings[data.labels == 0].tolist())) == [1, 2, 3, 4]
    assert sorted(set(data.ratings[data.labels == 1].tolist())) == [7, 8, 9, 10]
    assert sum("<br />" in text for text in data.texts) > 10_000
    assert split in data.source


def test_imdb_unsup_split_is_unlabelled(imdb):
    data = imdb["unsup"]
    assert len(data) == 50_000 and data.ratings is None
    assert data.counts() == {"neg": 0, "pos": 0, "unlabeled": 50_000}
    assert data.label_names == ["neg", "pos"]
    assert not set(data.texts) & set(imdb["train"].texts[:100])


def test_imdb_orders_each_class_by_numeric_id(imdb):
    # The archive stores test/neg as 0_2.txt, 10000_4.txt, 10001_1.txt, ...: sorted by the
    # number, ID 10000 is the 10,001st review, not the 2nd as in name order.
    first, id10000, id10001 = imdb_reviews(3)
    test = imdb["test"]
    assert test.texts[0] == first and test.texts[10_000] == id10000
    assert test.texts[10_001] == id10001
    assert test.ratings[[0, 10_000, 10_001]].tolist() == [2, 4, 1]


def make_aclimdb(root, imdb):
    """An aclImdb folder with a few real reviews under chosen IDs (2 before 10 numerically)."""
    chosen = {}
    for split, name, label in [("train", "neg", 0), ("train", "pos", 1),
                               ("test", "neg", 0), ("test", "pos", 1)]:
        data = imdb[split]
        rows = np.flatnonzero(data.labels == label)[:3]
        chosen[split, name] = [(identifier, int(data.ratings[row]), data.texts[row])
                               for identifier, row in zip([10, 2, 7], rows)]
    chosen["train", "unsup"] = [(identifier, 0, text) for identifier, text
                                in zip([30, 4], imdb["unsup"].texts[:2])]
    for (folder, name), reviews in chosen.items():
        directory = root / "aclImdb" / folder / name
        directory.mkdir(parents=True)
        for identifier, rating, text in reviews:
            (directory / f"{identifier}_{rating}.txt").write_bytes(text.encode("utf-8"))
    (root / "aclImdb" / "train" / "neg" / ".DS_Store").write_bytes(b"\0\1")
    return {key: sorted(reviews) for key, reviews in chosen.items()}


def test_imdb_folder_form_order_ratings_and_clean(tmp_path, imdb):
    written = make_aclimdb(tmp_path, imdb)
    for path in (tmp_path, tmp_path / "aclImdb"):
        train = load_imdb(path)
        expected = written["train", "neg"] + written["train", "pos"]
        assert train.texts == [text for _, _, text in expected]
        assert train.ratings.tolist() == [rating for _, rating, _ in expected]
        assert train.labels.tolist() == [0, 0, 0, 1, 1, 1]
    unsup = load_imdb(tmp_path, "unsup")
    assert unsup.texts == [text for _, _, text in written["train", "unsup"]]
    assert unsup.labels.tolist() == [-1, -1] and unsup.ratings is None
    raw, cleaned = load_imdb(tmp_path, "test"), load_imdb(tmp_path, "test", clean=True)
    assert any("<br />" in text for text in raw.texts)
    assert cleaned.texts == [text.replace("<br />", " ") for text in raw.texts]
    assert not any("<br" in text for text in cleaned.texts)


def test_imdb_small_tarball_directly_and_in_a_folder(tmp_path, imdb):
    written = make_aclimdb(tmp_path / "tree", imdb)
    archive = tmp_path / "data" / "aclImdb_v1.tar.gz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "tree" / "aclImdb", arcname="aclImdb")
    for path in (archive, archive.parent):
        splits = load_imdb_splits(path, ("test", "unsup"), clean=True)
        expected = written["test", "neg"] + written["test", "pos"]
        assert splits["test"].texts == [text.replace("<br />", " ") for _, _, text in expected]
        assert splits["test"].ratings.tolist() == [rating for _, rating, _ in expected]
        assert len(splits["unsup"]) == 2


def test_imdb_errors(tmp_path, imdb):
    with pytest.raises(ValueError, match=r"split='validation': use 'train', 'test' or 'unsup'"):
        load_imdb(tmp_path, "validation")
    with pytest.raises(FileNotFoundError, match="nowhere does not exist: pass the aclImdb/"):
        load_imdb(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="holds neither train/ and test/ folders"):
        load_imdb(tmp_path)
    make_aclimdb(tmp_path, imdb)
    for name in ("pos", "unsup"):
        for review in (tmp_path / "aclImdb" / "train" / name).iterdir():
            review.unlink()
        (tmp_path / "aclImdb" / "train" / name).rmdir()
    with pytest.raises(FileNotFoundError, match=r"train/pos is missing: the aclImdb folder"):
        load_imdb(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"train/unsup is missing"):
        load_imdb(tmp_path, "unsup")
    (tmp_path / "aclImdb" / "test" / "neg" / "99_1.txt").write_bytes(b"caf\xe9")
    with pytest.raises(ValueError, match=r"99_1.txt line 1, column 4: byte b'\\xe9' is not UTF-8"):
        load_imdb(tmp_path, "test")
    fake = write(tmp_path / "fake.tar.gz", "not a tarball")
    with pytest.raises(ValueError, match="fake.tar.gz is not a readable tar archive"):
        load_imdb(fake)
    (tmp_path / "aclImdb" / "test" / "neg" / "99_1.txt").unlink()
    whole, cut = tmp_path / "whole.tar.gz", tmp_path / "cut.tar.gz"
    with tarfile.open(whole, "w:gz") as tar:
        tar.add(tmp_path / "aclImdb", arcname="aclImdb")
    assert load_imdb(whole, "test").counts() == {"neg": 3, "pos": 3}
    data = whole.read_bytes()
    for end in range(len(data) // 10, len(data), max(1, len(data) // 40)):
        # every cut, including those at a member boundary that tarfile's stream mode
        # takes for the end of the archive
        cut.write_bytes(data[:end])
        with pytest.raises(ValueError, match="cut.tar.gz is not a readable tar archive"):
            load_imdb(cut, "test")
    other = tmp_path / "other.tar.gz"
    with tarfile.open(other, "w:gz") as tar:
        tar.add(fake, arcname="aclImdb/README")
    with pytest.raises(ValueError, match="holds no test/neg/ID_RATING.txt reviews"):
        load_imdb(other, "test")


# --- sarcasm headlines --------------------------------------------------------------------

def test_sarcasm_json_lines_matches_the_published_counts():
    path = shared_data(SARCASM)
    assert b"}\r\n{" in path.read_bytes()[:1000]  # the published file has CRLF line ends
    data = load_sarcasm(path)
    assert len(data) == 26_709
    assert data.counts() == {"not sarcastic": 26_709 - 11_724, "sarcastic": 11_724}
    assert data.texts == sarcasm_headlines()  # file order, no stray "\r"
    with open(path, encoding="utf-8") as lines:
        expected = [json.loads(line)["is_sarcastic"] for line in lines]
    assert data.labels.tolist() == expected and data.ratings is None


def test_sarcasm_json_array_form_reads_the_same(tmp_path):
    path = shared_data(SARCASM)
    with open(path, encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    course = write(tmp_path / "sarcasm.json", json.dumps(records, indent=1))
    lines_form, array_form = load_sarcasm(path), load_sarcasm(course)
    assert array_form.texts == lines_form.texts
    assert array_form.labels.tolist() == lines_form.labels.tolist()
    assert array_form.label_names == ["not sarcastic", "sarcastic"]


@pytest.mark.parametrize("content, message", [
    ('{"headline": "a", "is_sarcastic": 0}\n\n{"headline": "b", "is_sarcastic": 1,}\n',
     r"line 3: not valid JSON"),
    ('{"headline": "a", "is_sarcastic": 0}\r\n{"headline": "b"}\r\n',
     r"line 2: the record has no \['is_sarcastic'\]"),
    ('{"headline": "a", "is_sarcastic": 2}\n', r"line 1: is_sarcastic is 2; expected 0 or 1"),
    ('{"headline": 7, "is_sarcastic": 1}\n', r"line 1: headline is 7, not a string"),
    ('[{"headline": "a", "is_sarcastic": 0}, ["b", 1]]', r"index 1: expected a record"),
    ('[{"headline": "a", "is_sarcastic": "1"}]', r"index 0: is_sarcastic is '1'"),
    ('[{"headline": "a",\n "is_sarcastic": 0},\n {"headline"}]', r"line 3, column 13: not valid"),
    ('{"headlines": ["a"]}', r"line 1: the record has no \['headline', 'is_sarcastic'\]"),
    ('headline,is_sarcastic\na,1\n', r"starts with 'h': expected the sarcasm headlines"),
    (" \r\n", r"is empty"),
])
def test_sarcasm_errors(tmp_path, content, message):
    path = write(tmp_path / "bad.json", content, newline="")
    with pytest.raises(ValueError, match=message):
        load_sarcasm(path)


# --- CSV, TSV and JSON-lines tables -------------------------------------------------------

def test_read_labeled_non_latin_csv_with_quotes(tmp_path):
    texts = ["Η ταινία ήταν υπέροχη, την λάτρεψα!", "この映画は退屈でした。",
             "Πολύ κακό σενάριο", 'She said "bof",\nthen left.']
    path = write(tmp_path / "reviews.csv",
                 "id,text,label\r\n" + "".join(
                     f'{i},"{text.replace(chr(34), 2 * chr(34))}",{label}\r\n'
                     for i, (text, label) in enumerate(zip(texts, ["θετικό", "否定", "αρνητικό",
                                                                   "否定"]))))
    data = read_labeled(path)
    assert data.texts == texts
    assert data.label_names == sorted(["θετικό", "否定", "αρνητικό"])
    assert [data.label_names[i] for i in data.labels] == ["θετικό", "否定", "αρνητικό", "否定"]
    assert data.source == str(path)


def test_read_labeled_integer_labels_sort_numerically(tmp_path):
    path = write(tmp_path / "numbers.csv", "label,text\n10,ten\n2,two\n0,zero\n2,deux\n")
    data = read_labeled(path)
    assert data.label_names == ["0", "2", "10"] and data.labels.tolist() == [2, 1, 0, 1]
    binary = read_labeled(write(tmp_path / "binary.csv", "text,label\na,1\nb,0\n"))
    assert binary.labels.tolist() == [1, 0] and binary.label_names == ["0", "1"]


def test_read_labeled_tsv_jsonl_and_overrides(tmp_path):
    tsv = write(tmp_path / "data.tsv", '\ufeffsentence\tpolarity\n"quoted" as is\tpos\n'
                'x, y\tneg\n\n')
    data = read_labeled(tsv, text_column="sentence", label_column="polarity")
    assert data.texts == ['"quoted" as is', "x, y"] and data.label_names == ["neg", "pos"]
    jsonl = write(tmp_path / "data.jsonl", '{"text": "un\\u2028deux", "label": true}\r\n'
                  '{"text": "trois", "label": false}\n')
    data = read_labeled(jsonl)
    assert data.texts == ["un\u2028deux", "trois"] and data.label_names == ["false", "true"]
    semicolons = write(tmp_path / "data.txt", "text;label\nune phrase, avec virgule;b\n")
    data = read_labeled(semicolons, format="csv", delimiter=";")
    assert data.texts == ["une phrase, avec virgule"] and data.label_names == ["b"]
    quoted_tabs = write(tmp_path / "quoted.tsv", 'text\tlabel\n"a\tb"\t1\n')
    assert read_labeled(quoted_tabs, format="csv", delimiter="\t").texts == ["a\tb"]


def test_read_labeled_single_class_is_visible_in_counts(tmp_path):
    data = read_labeled(write(tmp_path / "one.csv", "text,label\ngood,pos\nfine,pos\n"))
    assert data.counts() == {"pos": 2}


@pytest.mark.parametrize("name, content, kwargs, message", [
    ("a.csv", "body,label\nx,1\n", {}, r"a.csv has no column 'text' \(the text_column\); "
     r"its columns are \['body', 'label'\]"),
    ("a.csv", "text,label\nx,1\n", {"label_column": "y"}, r"no column 'y' \(the label_column\)"),
    ("a.csv", "text,label\nx,1\n,0\n", {}, r"a.csv line 3: the text \(column 'text'\) is missing"),
    ("a.csv", "text,label\nx,1\n\ny, \n", {}, r"line 4: the label \(column 'label'\) is missing"),
    ("a.csv", "text,label\nx,1\nhello, world,0\n", {}, r"line 3: 3 fields but the header has 2"),
    ("a.tsv", "text\tlabel\nx\n", {}, r"line 2: 1 fields but the header has 2 .*a tab"),
    ("a.csv", "text,label\nok,1\n\"open,0\n", {}, r"a.csv line 3: unexpected end of data"),
    ("a.csv", "", {}, r"a.csv is empty"),
    ("a.csv", "text,label\n", {}, r"a.csv has a header but no rows"),
    ("a.json", "text,label\n", {}, r"extension '.json': pass format='csv', 'tsv' or 'jsonl'"),
    ("a.csv", "text,label\n", {"format": "xlsx"}, r"got format='xlsx'"),
    ("a.csv", "text,label\n", {"delimiter": "||"}, r"got delimiter='\|\|' for a csv file"),
    ("a.jsonl", '{"text": "a", "label": 1}\n{"text": "b" "label": 0}\n', {},
     r"a.jsonl line 2: not valid JSON"),
    ("a.jsonl", '{"text": "a", "label": 1}\n{"text": "b"}\n', {},
     r"line 2: the record has no 'label' \(the label_column\); its keys are \['text'\]"),
    ("a.jsonl", '{"text": "a", "label": 0.5}\n', {}, r"line 1: the label \('label'\) is 0.5"),
    ("a.jsonl", '{"text": ["a"], "label": 1}\n', {}, r"line 1: the text \('text'\) is \['a'\]"),
    ("a.jsonl", '["a", 1]\n', {}, r"line 1: expected a JSON object"),
])
def test_read_labeled_errors(tmp_path, name, content, kwargs, message):
    path = write(tmp_path / name, content)
    with pytest.raises(ValueError, match=message):
        read_labeled(path, **kwargs)


def test_read_labeled_invalid_utf8_and_missing_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("text,label\nbien,1\ncafé,0\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"latin1.csv line 3, column 4: byte b'\\xe9' is not UTF-8"):
        read_labeled(path)
    with pytest.raises(FileNotFoundError, match="absent.csv does not exist"):
        read_labeled(tmp_path / "absent.csv")


# --- CSV time series ----------------------------------------------------------------------

def test_jena_hourly_first_and_last_rows():
    series = read_series(shared_data(JENA_HOURLY))
    assert len(series) == 70_038 and series.values.shape == (70_038, 6)
    assert series.columns == ["T (degC)", "p (mbar)", "rh (%)", "VPmax (mbar)", "wv (m/s)",
                              "Tdew (degC)"]
    assert series.times.dtype == np.dtype("datetime64[s]")
    assert series.times[0] == np.datetime64("2009-01-01T00:10:00")
    assert series.times[-1] == np.datetime64("2016-12-31T23:50:00")
    assert series.values[0].tolist() == [-8.02, 996.52, 93.30, 3.33, 1.03, -8.90]
    assert series.values[-1].tolist() == [-4.23, 999.81, 71.80, 4.46, 1.49, -8.53]
    assert (np.diff(series.times) > np.timedelta64(0, "s")).all()


def test_jena_hourly_persistence_baseline_matches_the_book():
    # "T in 24 h = T now" on the book's splits (50 % train, 25 % validation, 25 % test).
    temperature = read_series(shared_data(JENA_HOURLY), columns="T (degC)").column(0)
    n = len(temperature)
    train, validation = int(0.5 * n), int(0.25 * n)
    for low, high, expected in [(train, train + validation, 2.44), (train + validation, n, 2.62)]:
        part = temperature[low:high]
        assert abs(np.abs(part[24:] - part[:-24]).mean() - expected) < 0.01


def test_jena_10min_excerpt_and_column_selection():
    path = shared_data(JENA_10MIN)
    series = read_series(path)
    assert len(series) == 4_000 and len(series.columns) == 11
    assert series.columns[:2] == ["p (mbar)", "T (degC)"]
    assert series.values[0, :3].tolist() == [996.52, -8.02, 265.4]
    steps = np.diff(series.times)
    assert (steps == np.timedelta64(600, "s")).mean() > 0.99
    picked = read_series(path, columns=["T (degC)", "p (mbar)"])
    assert picked.columns == ["T (degC)", "p (mbar)"]
    assert picked.values.tolist() == series.values[:, [1, 0]].tolist()
    assert picked.times.tolist() == series.times.tolist()


def test_read_series_iso_dates_explicit_formats_and_no_dates(tmp_path):
    iso = read_series(write(tmp_path / "iso.csv", "day,sales\n2024-02-28,1\n2024-02-29 12:30,2.5\n"
                            "2024-03-01T08:00:05,-3e2\n"))
    assert iso.times.tolist() == np.array(["2024-02-28", "2024-02-29T12:30",
                                           "2024-03-01T08:00:05"], "datetime64[s]").tolist()
    assert iso.values[:, 0].tolist() == [1.0, 2.5, -300.0]
    us_dates = "when,x\n02/29/2024 13:00,1\n03/01/2024 01:00,2\n"
    us = read_series(write(tmp_path / "us.csv", us_dates), date_format="%m/%d/%Y %H:%M")
    assert us.times[0] == np.datetime64("2024-02-29T13:00:00") and us.columns == ["x"]
    plain = read_series(write(tmp_path / "plain.csv", "a,b\n1,2\n3,4\n"))
    assert plain.times is None and plain.values.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    later = read_series(write(tmp_path / "later.csv", "x,stamp\n5,01.02.2020 10:00\n"),
                        date_column="stamp")
    assert later.columns == ["x"] and later.times[0] == np.datetime64("2020-02-01T10:00")


@pytest.mark.parametrize("content, kwargs, message", [
    ("Date,T\n01.01.2009 00:10:00,1\n01.01.2009 00:20:00,abc\n", {},
     r"s.csv line 3, column 'T': 'abc' is not a number"),
    ("Date,T\n01.01.2009 00:10:00,1\n01.01.2009 00:20:00,\n", {},
     r"line 3, column 'T': missing value \(''\); fill the gaps .* or drop the rows"),
    ("Date,T,p\n2009-01-01,1,2\n2009-01-02,3,NaN\n", {}, r"line 3, column 'p': missing value"),
    ("Date,T\n2009-01-01,1\n2009-01-02,-inf\n", {},
     r"line 3, column 'T': '-inf' is not a finite number"),
    ("Date,T\n31.01.2009 00:10:00,1\n32.01.2009 00:10:00,2\n", {},
     r"line 3, column 'Date': '32.01.2009 00:10:00' is not a date in the layout dd.mm.yyyy"),
    ("Date,T\n01.01.2009 00:10:00,1\n2009-01-01 00:20:00,2\n", {},
     r"line 3, column 'Date': .*\(the layout differs from the first row's\)"),
    ("Date,T\n01.01.2009 00:10:00,1\n,2\n", {}, r"line 3, column 'Date': missing date"),
    ("Date,T\n31-Jan-2009,1\n", {}, r"line 2, column 'Date': '31-Jan-2009' is not a number; "
     r"if it holds dates, pass date_column='Date' and date_format="),
    ("Date,T\n31-Jan-2009,1\n", {"date_column": "Date"},
     r"line 2, column 'Date': '31-Jan-2009' is not a date in a layout recognised"),
    ("Date,T\n2009-01-01,1\n", {"columns": ["T", "rh"]},
     r"s.csv has no column 'rh' \(the columns\); its columns are \['Date', 'T'\]"),
    ("Date,T\n2009-01-01,1\n", {"date_column": "Time"}, r"no column 'Time' \(the date_column\)"),
    ("Date,T\n2009-01-01,1,2\n", {}, r"line 2: 3 fields but the header has 2"),
    ("Date,T,T\n2009-01-01,1,2\n", {}, r"repeats the column names \['T'\]"),
    ("\n\n", {}, r"s.csv is empty"),
    ("Date,T\n", {}, r"s.csv has a header but no rows"),
])
def test_read_series_errors(tmp_path, content, kwargs, message):
    path = write(tmp_path / "s.csv", content)
    with pytest.raises(ValueError, match=message):
        read_series(path, **kwargs)


def test_read_series_error_names_a_late_line(tmp_path):
    rows = "".join(f"2020-01-{day:02d},{day}\n" for day in range(1, 29))
    path = write(tmp_path / "late.csv", "date,x\n" + rows + "2020-01-29,n/a\n")
    with pytest.raises(ValueError, match=re.escape("late.csv line 30, column 'x': missing value")):
        read_series(path)


def _tiny_imdb(root):
    for split in ("train", "test"):
        for name, rating in (("neg", 2), ("pos", 9)):
            folder = root / split / name
            folder.mkdir(parents=True)
            (folder / f"0_{rating}.txt").write_text(f"a {name} review")
    return root


def test_imdb_folder_does_not_follow_links_out_of_it(tmp_path):
    root = _tiny_imdb(tmp_path / "aclImdb")
    secret = tmp_path / "secret.txt"
    secret.write_text("not a review")
    (root / "train" / "pos" / "1_10.txt").symlink_to(secret)
    with pytest.raises(ValueError, match=r"1_10.txt is a link to .*secret.txt, outside the "
                                         r"aclImdb folder"):
        load_imdb(root, "train")
    (root / "train" / "pos" / "1_10.txt").unlink()
    inside = root / "train" / "pos" / "2_8.txt"
    inside.symlink_to(root / "test" / "pos" / "0_9.txt")  # a link inside is fine
    assert len(load_imdb(root, "train")) == 3


@pytest.mark.parametrize("name", ["../aclImdb/train/pos/5_9.txt", "/tmp/aclImdb/train/pos/5_9.txt"])
def test_imdb_tar_members_outside_the_archive_are_refused(tmp_path, name):
    import io
    import tarfile

    path = tmp_path / "aclImdb_v1.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, text in (("aclImdb/train/neg/0_2.txt", b"bad"), (name, b"sneaky")):
            info = tarfile.TarInfo(member)
            info.size = len(text)
            archive.addfile(info, io.BytesIO(text))
    with pytest.raises(ValueError, match=r"points outside the archive"):
        load_imdb(path, "train")


@pytest.mark.parametrize("cells, expected", [
    (["2016-07-01 00:00:00", "2016-07-01 01:00:00"], ["2016-07-01T00:00", "2016-07-01T01:00"]),
    (["2016-07-01 00:00", "2016-07-01T13:05"], ["2016-07-01T00:00", "2016-07-01T13:05"]),
    (["2016-07-01", "2016-7-2"], ["2016-07-01", "2016-07-02"]),
    (["2010/1/1 0:00", "2010/12/31 23:00"], ["2010-01-01T00:00", "2010-12-31T23:00"]),
    (["01.02.2009 00:10:00", "13.02.2009 07:30"], ["2009-02-01T00:10", "2009-02-13T07:30"]),
    (["02/01/2009", "2/13/2009 7:30"], ["2009-02-01", "2009-02-13T07:30"]),  # US m/d/yyyy
    (["02/01/2009", "13/02/2009"], ["2009-01-02", "2009-02-13"]),  # a day above 12: d/m
])
def test_read_series_date_layouts(tmp_path, cells, expected):
    path = write(tmp_path / "d.csv", "when,x\n" + "".join(f"{c},{i}\n" for i, c in
                                                         enumerate(cells)))
    series = read_series(path)
    assert series.columns == ["x"]
    assert series.times.tolist() == np.array(expected, "datetime64[s]").tolist()


def test_read_series_date_format_categorical_and_missing(tmp_path):
    content = ("No,stamp,pm2.5,wnd_dir,temp\n1,01-Jan-2010 00,NA,SE,-11\n"
               "2,01-Jan-2010 01,NA,cv,-12\n3,01-Jan-2010 02,90,NW,\n4,01-Jan-2010 03,,SE,-14\n")
    path = write(tmp_path / "p.csv", content)
    with pytest.raises(ValueError, match=r"line 2, column 'pm2.5': missing value \('NA'\)"):
        read_series(path, date_column="stamp", date_format="%d-%b-%Y %H", categorical="onehot")
    with pytest.raises(ValueError, match=r"line 2, column 'wnd_dir': 'SE' is not a number.*"
                                         r"categorical='onehot' or 'drop'"):
        read_series(path, date_column="stamp", date_format="%d-%b-%Y %H", missing="ffill")
    notes = []
    series = read_series(path, date_column="stamp", date_format="%d-%b-%Y %H",
                         missing="ffill", categorical="onehot", notes=notes)
    assert series.times[-1] == np.datetime64("2010-01-01T03:00")
    assert series.columns == ["No", "pm2.5", "wnd_dir=NW", "wnd_dir=SE", "wnd_dir=cv", "temp"]
    assert series.values.tolist() == [[1, 90, 0, 1, 0, -11], [2, 90, 0, 0, 1, -12],
                                      [3, 90, 1, 0, 0, -12], [4, 90, 0, 1, 0, -14]]
    assert notes == [
        "column 'pm2.5': 3 missing cells filled with the value above (2 leading ones with "
        "the first value)",
        "column 'wnd_dir' is categorical: one-hot encoded as 3 columns wnd_dir=NW ... "
        "wnd_dir=cv",
        "column 'temp': 1 missing cells filled with the value above"]
    dropped = read_series(path, date_column="stamp", date_format="%d-%b-%Y %H",
                          missing="ffill", categorical="drop")
    assert dropped.columns == ["No", "pm2.5", "temp"]
    with pytest.raises(ValueError, match=r"missing='maybe'; use one of \('ffill', 'error'\)"):
        read_series(path, missing="maybe")


def test_series_from_a_pandas_dataframe():
    pandas = pytest.importorskip("pandas")
    from seqlab.data import series_from_dataframe
    frame = pandas.DataFrame({
        "date": pandas.to_datetime(["2020-01-01 00:00", "2020-01-01 01:00", "2020-01-01 02:00"]),
        "x": [1.0, None, 3.0], "dir": ["N", "S", None]})
    with pytest.raises(ValueError, match=r"row 1, column 'x': missing value"):
        series_from_dataframe(frame)
    with pytest.raises(ValueError, match=r"column 'dir' holds words .*categorical='onehot'"):
        series_from_dataframe(frame, missing="ffill")
    series = series_from_dataframe(frame, missing="ffill", categorical="onehot")
    assert series.columns == ["x", "dir=N", "dir=S"]
    assert series.values.tolist() == [[1, 1, 0], [1, 0, 1], [3, 0, 1]]
    assert series.times[2] == np.datetime64("2020-01-01T02:00")
    indexed = series_from_dataframe(frame.set_index("date")[["x"]].fillna(0.0))
    assert indexed.times[1] == np.datetime64("2020-01-01T01:00") and indexed.columns == ["x"]


def test_read_series_finds_a_later_date_column_and_refuses_words_that_never_repeat(tmp_path):
    rows = "".join(f"{i},2010/1/{1 + i // 24} {i % 24}:00,{i * 1.5},id{i}\n" for i in range(30))
    path = write(tmp_path / "p.csv", "No,date,pm,code\n" + rows)
    series = read_series(path, columns=["No", "pm"])
    assert series.times[25] == np.datetime64("2010-01-02T01:00") and series.columns == ["No", "pm"]
    with pytest.raises(ValueError, match=r"column 'code' holds 30 distinct words such as 'id0', "
                                         r"too many for a category"):
        read_series(path, categorical="onehot")
