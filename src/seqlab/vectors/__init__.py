"""Word vectors: counting (co-occurrence → PPMI → truncated SVD), prediction (word2vec
CBOW and skip-gram with negative sampling), ``KeyedVectors`` with
similarity queries and benchmark evaluation, vector files (GloVe, word2vec text and
binary), and the Embedding matrix for a Tokenizer's vocabulary."""
from ._embedding import embedding_matrix
from ._corpus import LineSentences
from ._keyed import KeyedVectors
from ._text_files import detect_vector_format, load_vectors, save_vectors
from .counting import cooccurrence_matrix, ppmi, svd_vectors, vocabulary
from .evaluation import evaluate_analogies, evaluate_word_pairs
from .word2vec import Word2Vec

__all__ = ["KeyedVectors", "LineSentences", "Word2Vec", "cooccurrence_matrix", "detect_vector_format", "embedding_matrix",
           "evaluate_analogies", "evaluate_word_pairs", "load_vectors", "ppmi", "save_vectors",
           "svd_vectors", "vocabulary"]
