"""The encoder-decoder of the seq2seq recipe, and decoding it one token at a time.

Training graph (Keras's ``lstm_seq2seq`` design, with Embeddings and masks)::

    source (B, S) -> Embedding(mask_zero) -> encoder LSTM/GRU(return_state)
                                              |  final states (h, c) or h
    target_in (B, T) -> Embedding(mask_zero) -> decoder LSTM/GRU(return_sequences,
                                                  return_state, initial_state=states)
                     -> Dense(V, softmax) -> P(y_t | y_<t, source)   (B, T, V)

``target_in`` is ``<start> y_1 .. y_n`` and the training target ``y_1 .. y_n <end>``
(teacher forcing: the decoder reads the true previous token). With a Bidirectional
encoder the forward and backward final states are concatenated (``h = [h_fw ; h_bw]``,
the same for ``c``), so the decoder has ``2 * units`` units. Padding (index 0) is masked
in both embeddings, so the loss and accuracy count real tokens only and a text decodes
the same alone or in a padded batch.

``_encode`` and ``_decode`` below are written once and called twice: on symbolic
``Input`` tensors to build the training ``Model``, and on real tensors by ``Decoder``
(whose ``step`` carries the decoder's states, so each new token costs one
``RNN.step``, one step of the compiled loop).

Searches take ``step(tokens (N,), states) -> (log-probabilities (N, V), states)``, so
they work with any model (the tests hand-build one):

* ``greedy_search``: ``y_t = argmax_v log P(v | y_<t)``, until ``<end>``;
* ``beam_search``: keeps the ``K`` best prefixes by ``sum_t log P(y_t | y_<t)``.
"""
from __future__ import annotations

import torch

from ..layers import GRU, LSTM, Bidirectional, Concatenate, Dense, Embedding, Input
from ..models import Model

CELLS = {"lstm": LSTM, "gru": GRU}
PADDING = 0  # the index a decoder never emits


def build_seq2seq(source_vocab: int, target_vocab: int, cell="lstm", units=128,
                  embedding_dim=32, bidirectional=False, dropout=0.0) -> Model:
    """The training model ``[source (B, S), target_in (B, T)] -> (B, T, target_vocab)``."""
    layer = CELLS[cell]
    encoder = layer(units, return_state=True, dropout=dropout, name="encoder")
    layers = {"source_embedding": Embedding(source_vocab, embedding_dim, mask_zero=True,
                                            name="source_embedding"),
              "encoder": Bidirectional(encoder, name="encoder") if bidirectional else encoder,
              "target_embedding": Embedding(target_vocab, embedding_dim, mask_zero=True,
                                            name="target_embedding"),
              "decoder": layer(units * (2 if bidirectional else 1), return_sequences=True,
                               return_state=True, dropout=dropout, name="decoder"),
              "next_token": Dense(target_vocab, activation="softmax", name="next_token")}
    if bidirectional:  # one Concatenate per state: h (and c)
        for index in range(2 if cell == "lstm" else 1):
            layers[f"merge_state_{index}"] = Concatenate(name=f"merge_state_{index}")
    source = Input(shape=(None,), dtype="int64", name="source")
    target_in = Input(shape=(None,), dtype="int64", name="target_in")
    probabilities, _ = _decode(layers, target_in, _encode(layers, source))
    return Model([source, target_in], probabilities, name="seq2seq")


def _encode(layers, source) -> list:
    """The encoder's final states, the decoder's initial states."""
    outputs = layers["encoder"](layers["source_embedding"](source))
    states = list(outputs[1:])  # drop the last output, keep h (and c)
    if isinstance(layers["encoder"], Bidirectional):  # [h_fw, (c_fw,) h_bw, (c_bw)]
        half = len(states) // 2
        states = [layers[f"merge_state_{i}"]([forward, backward])
                  for i, (forward, backward) in enumerate(zip(states[:half], states[half:]))]
    return states


def _decode(layers, target_in, states):
    """``(P(next token) (B, T, V), final states)`` after reading `target_in` from `states`."""
    sequence, *states = layers["decoder"](layers["target_embedding"](target_in),
                                          initial_state=states)
    return layers["next_token"](sequence), states


class Decoder:
    """A trained seq2seq model, run one target token at a time.

    ``encode(source (B, S))`` gives the decoder's initial states; ``step(tokens (N,),
    states)`` reads one token per row and returns ``log P(next token)`` ``(N, V)`` and the
    new states. Both run the model's own layers (found by name), in eval mode, without
    gradients.
    """

    def __init__(self, model):
        names = [layer.name for layer in model.layers]
        self.layers = {name: model.get_layer(name) for name in names
                       if name in ("source_embedding", "encoder", "target_embedding", "decoder",
                                   "next_token") or name.startswith("merge_state_")}
        if len(self.layers) < 5:
            raise ValueError(f"{model.name} is not a seqlab seq2seq model: its layers are "
                             f"{names}")
        self.model = model.eval()

    @torch.no_grad()
    def encode(self, source) -> list:
        return _encode(self.layers, torch.as_tensor(source, dtype=torch.long))

    @torch.no_grad()
    def step(self, tokens, states):
        tokens = torch.as_tensor(tokens, dtype=torch.long).reshape(-1)  # (N,)
        embedding = self.layers["target_embedding"]
        output, states = self.layers["decoder"].step(embedding(tokens), states,  # (N, E)
                                                     embedding.compute_mask(tokens))
        # The softmax's input, so that log P is exact where P itself would underflow to 0.
        logits = self.layers["next_token"].logits(output)  # (N, V)
        return torch.log_softmax(logits, dim=-1), states


def greedy_search(step, states, start, end, max_length):
    """``(token lists, log-probabilities)``: the most probable next token at every step.

    Each row stops at ``end`` (left out of its list, counted in its log-probability) or
    after `max_length` tokens.
    """
    batch = states[0].shape[0]
    tokens = torch.full((batch,), start, dtype=torch.long)
    score = torch.zeros(batch, dtype=torch.float64)
    ended = torch.zeros(batch, dtype=torch.bool)
    chosen = []
    for _ in range(max_length):
        log_probs, states = step(tokens, states)
        log_probs[:, PADDING] = -torch.inf
        best, tokens = log_probs.max(dim=-1)
        score += torch.where(ended, 0.0, best.double())
        chosen.append(tokens)
        ended |= tokens == end
        if ended.all():
            break
    rows = torch.stack(chosen, dim=1).tolist()
    return [_until(row, end) for row in rows], score.tolist()


def beam_search(step, states, start, end, max_length, beam_width=4, length_penalty=0.0):
    """``(token lists, log-probabilities)``: the best hypothesis of a beam search per row.

    Every row keeps the `beam_width` (K) best unfinished prefixes by their log-probability
    ``s(y_1..t) = sum_i log P(y_i | y_<i, source)``. At each step every prefix is extended
    by every token; of the 2K best extensions, those among the first K that end with
    ``end`` become finished hypotheses and the first K others the new prefixes (so a
    finished hypothesis never crowds out a prefix). Finished hypotheses are ranked by
    ``s / lp(length)`` with GNMT's ``lp(L) = ((5 + L) / 6) ** length_penalty`` (Wu et al.
    2016; 0 ranks by the plain sum, > 0 favours longer outputs); ``length`` counts the end
    token. A row stops once it holds K finished hypotheses and no prefix can beat the
    worst of them: log-probabilities only fall as a prefix grows, so ``s / lp(max_length)``
    bounds any of its continuations. After `max_length` steps, a row with no finished
    hypothesis returns its best prefix. With K = 1 and no length penalty this is exactly
    ``greedy_search``.
    """
    if beam_width < 1:
        raise ValueError(f"beam_width must be >= 1, got {beam_width!r}")
    batch, width = states[0].shape[0], beam_width

    def lp(length):
        return ((5 + length) / 6) ** length_penalty

    states = [s.repeat_interleave(width, dim=0) for s in states]  # (B K, u)
    tokens = torch.full((batch * width,), start, dtype=torch.long)
    scores = torch.full((batch, width), -torch.inf, dtype=torch.float64)
    scores[:, 0] = 0.0  # the K copies of <start> are one prefix
    prefixes = torch.zeros((batch, width, 0), dtype=torch.long)
    finished = [[] for _ in range(batch)]  # per row: (ranking score, log-prob, tokens)
    done = torch.zeros(batch, dtype=torch.bool)
    for t in range(1, max_length + 1):
        log_probs, states = step(tokens, states)
        log_probs = log_probs.double()
        log_probs[:, PADDING] = -torch.inf
        vocab = log_probs.shape[-1]
        candidates = scores.unsqueeze(-1) + log_probs.view(batch, width, vocab)  # (B, K, V)
        top, index = candidates.view(batch, -1).topk(2 * width, dim=-1)  # (B, 2K), best first
        beam, token = index // vocab, index % vocab
        ends = token == end
        for row in (ends[:, :width].any(dim=1) & ~done).nonzero().flatten().tolist():
            for j in (ends[row, :width] & top[row, :width].isfinite()).nonzero().flatten():
                prefix = prefixes[row, beam[row, j]].tolist()
                finished[row].append((float(top[row, j]) / lp(t), float(top[row, j]), prefix))
        # the first K extensions that do not end (each prefix ends at most once, so there
        # are at least K among the 2K)
        keep = ~ends & (torch.cumsum(~ends, dim=1) <= width)
        scores = top[keep].view(batch, width)
        beam, token = beam[keep].view(batch, width), token[keep].view(batch, width)
        rows = torch.arange(batch).unsqueeze(1)
        prefixes = torch.cat([prefixes[rows, beam], token.unsqueeze(-1)], dim=-1)
        flat = (rows * width + beam).flatten()
        states = [s[flat] for s in states]
        tokens = token.flatten()
        for row in (~done).nonzero().flatten().tolist():
            ranked = sorted(finished[row], key=lambda h: h[0], reverse=True)[:width]
            finished[row] = ranked
            if len(ranked) == width and float(scores[row, 0]) / lp(max_length) <= ranked[-1][0]:
                done[row] = True
        if done.all():
            break
    best_sequences, best_scores = [], []
    for row in range(batch):
        hypotheses = finished[row] or [(float(scores[row, 0]) / lp(max_length),
                                        float(scores[row, 0]), prefixes[row, 0].tolist())]
        _, score, sequence = max(hypotheses, key=lambda h: h[0])
        best_sequences.append(sequence)
        best_scores.append(score)
    return best_sequences, best_scores


def _until(row, end):
    return row[:row.index(end)] if end in row else row
