"""``tokenizer_from_json``: rebuild a Tokenizer from Keras 2's JSON (``Tokenizer.to_json``)."""
from __future__ import annotations

import json
from collections import OrderedDict, defaultdict

from ._korean import KoreanAnalyzer
from ._subword import SubwordTokenizer
from ._tokenizer import Tokenizer


def tokenizer_from_json(json_string, analyzer=None):
    """Rebuild a ``Tokenizer`` from ``Tokenizer.to_json()`` output (seqlab's or Keras 2's),
    or a ``SubwordTokenizer`` from its ``to_json()``.

    Args:
        json_string: the JSON text.
        analyzer: the custom analyzer to attach, if the saved tokenizer used one (a saved
            ``KoreanAnalyzer`` is rebuilt without it).
    """
    try:
        saved = json.loads(json_string)
    except (TypeError, ValueError) as error:
        raise ValueError(f"tokenizer_from_json: not a Tokenizer JSON string ({error})") from None
    except RecursionError:
        raise ValueError("tokenizer_from_json: not a Tokenizer JSON string (nested too deep "
                         "to be one)") from None
    config = saved.get("config") if isinstance(saved, dict) else None
    if not isinstance(config, dict):
        raise ValueError("tokenizer_from_json: the JSON has no 'config' object; expected the output "
                         "of Tokenizer.to_json()")
    if saved.get("class_name") == "SubwordTokenizer":
        return SubwordTokenizer.from_json(saved)
    if analyzer is None and isinstance(saved.get("analyzer"), dict):
        analyzer = _saved_analyzer(saved["analyzer"])
    config = dict(config)
    maps = {}
    for key in ("word_counts", "word_docs", "index_docs", "index_word", "word_index"):
        encoded = config.pop(key, "{}")
        try:
            maps[key] = json.loads(encoded) if isinstance(encoded, str) else dict(encoded)
        except (TypeError, ValueError) as error:
            raise ValueError(f"tokenizer_from_json: config[{key!r}] is not a JSON object "
                             f"({error})") from None
    if not config.get("num_words"):
        config["num_words"] = None  # Keras treats num_words=0 as "no limit"
    try:
        tokenizer = Tokenizer(analyzer=analyzer, **config)
    except TypeError as error:
        raise ValueError(f"tokenizer_from_json: {error}") from None
    tokenizer.word_counts = OrderedDict(maps["word_counts"])
    tokenizer.word_docs = defaultdict(int, maps["word_docs"])
    # JSON turns integer keys into strings; Keras 2 turns them back the same way.
    tokenizer.index_docs = defaultdict(int, {int(k): v for k, v in maps["index_docs"].items()})
    tokenizer.word_index = maps["word_index"]
    if maps["index_word"]:
        tokenizer.index_word = {int(k): v for k, v in maps["index_word"].items()}
    else:
        tokenizer.index_word = {v: k for k, v in tokenizer.word_index.items()}
    return tokenizer


def _saved_analyzer(record):
    if record.get("class_name") != "KoreanAnalyzer":
        raise ValueError(f"tokenizer_from_json: unknown saved analyzer {record.get('class_name')!r}"
                         "; pass the analyzer yourself: tokenizer_from_json(s, analyzer=...)")
    return KoreanAnalyzer(**record.get("config", {}))
