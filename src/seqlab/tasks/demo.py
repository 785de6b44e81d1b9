"""Recipe: the demo. A bag-of-words model and an LSTM trained on the same generated reviews
(``seqlab.data.synthetic_reviews``: synthetic, no download) whose labels depend on word
order: "the plot was dull but the acting was great" is positive, "the plot was great but
the acting was dull" negative. Averaging word vectors cannot tell the two apart; reading
the words in order can. Each model is one ``classify.train`` run:

    run(DemoConfig())  ->  {"bow": metrics, "lstm": metrics}, run folders output/bow, output/lstm
"""
from __future__ import annotations

from pathlib import Path

from ._runs import read_json
from .classify import _check, train
from ._threads import check_threads
from .configs import ClassifyConfig, DemoConfig


def classify_config(config: DemoConfig, model: str) -> ClassifyConfig:
    """The classification settings of one demo model: reviews are at most 16 words."""
    return ClassifyConfig(data="synthetic", model=model, maxlen=20, num_words=1000,
                          embedding_dim=16, units=32, epochs=config.epochs,
                          learning_rate=0.005, seed=config.seed, threads=config.threads,
                          output=str(Path(config.output) / model), overwrite=True)


def run(config: DemoConfig | None = None, verbose=1) -> dict:
    """Train every model of `config`; ``{model: metrics}`` in that order. An earlier demo
    run in the output folder is replaced; any other folder there is left alone (error)."""
    config = config or DemoConfig()
    check(config)
    return {model: train(classify_config(config, model), verbose=verbose)
            for model in config.models}


def check(config: DemoConfig):
    """Raise the error a run of `config` would meet at its start (a bad setting, a folder
    that is not an earlier demo run), before anything is trained."""
    check_threads(config.threads)
    for model in config.models:
        _check_replaceable(Path(config.output) / model)
        _check(classify_config(config, model))


def _check_replaceable(folder: Path):
    if not folder.exists():
        return
    try:
        earlier = read_json(folder / "config.json")
    except (OSError, ValueError):
        earlier = {}
    if earlier.get("data") != "synthetic":
        raise FileExistsError(f"{folder} exists and is not an earlier demo run: choose another "
                              "--output for the demo")
