"""Word vectors: reading pretrained vector files (GloVe, word2vec text) and turning them
into an Embedding matrix for a Tokenizer's vocabulary."""
from ._embedding import embedding_matrix
from ._keyed import KeyedVectors
from ._text_files import load_vectors

__all__ = ["KeyedVectors", "embedding_matrix", "load_vectors"]
