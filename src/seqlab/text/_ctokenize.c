/*
 * seqlab.text._ctokenize: the compiled fast path of seqlab.text.Tokenizer.
 *
 * It does exactly what the pure-Python reference path (seqlab/text/_reference.py)
 * does for the default word splitting, without creating a Python object per token:
 *
 *     tokens(text) = [t for t in lower(text).translate({f: split for f in filters})
 *                                          .split(split) if t]
 *
 * which, for a single-character ASCII `split` and ASCII `filters`, is the list of
 * maximal runs of bytes that are not separators in the UTF-8 encoding of
 * lower(text) (UTF-8 never uses ASCII bytes inside a multi-byte character, so
 * splitting the bytes equals splitting the characters).
 *
 * Two entry points:
 *
 *   WordCounter(): .add_texts(texts, lower, separators) splits and counts a list
 *       of str documents, .add_tokens(tokens) counts one pre-tokenized document,
 *       .result() -> (words, counts, doc_counts): words in first-seen order, their
 *       total counts and the number of documents each occurs in.
 *
 *   index_texts(texts, lower, separators, word_index, num_words, oov, oov_missing)
 *       -> list of lists of int, Keras's texts_to_sequences rule per token:
 *       i = word_index.get(w); i is None -> oov (or dropped, or an error when
 *       oov_missing); num_words and i >= num_words -> oov (or dropped); else i.
 *       The decision is made once per distinct token and cached for the call.
 *
 * Python keeps every decision about *which* texts may come here; this file only
 * assumes its arguments have the documented types and checks them.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- buffers */

typedef struct {
    char *data;
    Py_ssize_t len;
    Py_ssize_t cap;
} Bytes;

static int bytes_reserve(Bytes *b, Py_ssize_t extra) {
    if (b->len + extra <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (!data) { PyErr_NoMemory(); return -1; }
    b->data = data;
    b->cap = cap;
    return 0;
}

/* ------------------------------------------------------------ token table */

/* Open addressing with linear probing. A slot is 8 bytes (the high half of the
   hash and the token id) so the table stays cache-sized; the key bytes live in
   one arena, found through per-id offset/length arrays. Ids are dense and in
   first-seen order, so frequent tokens have small, cache-hot ids. */
typedef struct {
    uint32_t tag;       /* hash >> 32 */
    int32_t id;         /* -1: empty */
} Slot;

typedef struct {
    Slot *slots;
    Py_ssize_t mask;     /* capacity - 1, capacity a power of two */
    Py_ssize_t size;     /* number of keys == next id */
    Bytes arena;
    Py_ssize_t *offset;  /* by id: where its key starts in the arena */
    Py_ssize_t *length;  /* by id: its key length */
    Py_ssize_t id_cap;
} Table;

static Slot *new_slots(Py_ssize_t cap) {
    Slot *slots = PyMem_Malloc(sizeof(Slot) * (size_t)cap);
    if (!slots) { PyErr_NoMemory(); return NULL; }
    for (Py_ssize_t i = 0; i < cap; i++) slots[i].id = -1;
    return slots;
}

static int table_init(Table *t) {
    memset(t, 0, sizeof(*t));
    Py_ssize_t cap = 1 << 12;
    t->slots = new_slots(cap);
    if (!t->slots) return -1;
    t->mask = cap - 1;
    return 0;
}

static void table_free(Table *t) {
    PyMem_Free(t->slots);
    PyMem_Free(t->arena.data);
    PyMem_Free(t->offset);
    PyMem_Free(t->length);
}

static inline uint64_t hash_bytes(const unsigned char *p, Py_ssize_t n) {
    uint64_t h = 1469598103934665603ULL;          /* FNV-1a, then a final mix */
    for (Py_ssize_t i = 0; i < n; i++) { h ^= p[i]; h *= 1099511628211ULL; }
    h ^= h >> 29; h *= 0xbf58476d1ce4e5b9ULL; h ^= h >> 32;
    return h;
}

static int table_grow(Table *t) {
    Py_ssize_t cap = (t->mask + 1) * 2;
    Slot *slots = new_slots(cap);
    if (!slots) return -1;
    for (Py_ssize_t id = 0; id < t->size; id++) {
        uint64_t h = hash_bytes((const unsigned char *)t->arena.data + t->offset[id], t->length[id]);
        Py_ssize_t j = (Py_ssize_t)(h & (uint64_t)(cap - 1));
        while (slots[j].id >= 0) j = (j + 1) & (cap - 1);
        slots[j].tag = (uint32_t)(h >> 32);
        slots[j].id = (int32_t)id;
    }
    PyMem_Free(t->slots);
    t->slots = slots;
    t->mask = cap - 1;
    return 0;
}

/* Returns the id of the token, inserting it with id == t->size when new
   (*is_new set to 1). Returns -1 with an exception set on failure. */
static Py_ssize_t table_intern(Table *t, const unsigned char *p, Py_ssize_t n, int *is_new) {
    uint64_t h = hash_bytes(p, n);
    uint32_t tag = (uint32_t)(h >> 32);
    Py_ssize_t j = (Py_ssize_t)(h & (uint64_t)t->mask);
    for (;;) {
        Slot s = t->slots[j];
        if (s.id < 0) break;
        if (s.tag == tag && t->length[s.id] == n &&
            memcmp(t->arena.data + t->offset[s.id], p, (size_t)n) == 0) {
            *is_new = 0;
            return s.id;
        }
        j = (j + 1) & t->mask;
    }
    if (t->size >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "more than 2**31 distinct tokens in one call");
        return -1;
    }
    if (bytes_reserve(&t->arena, n) < 0) return -1;
    if (t->size >= t->id_cap) {
        Py_ssize_t cap = t->id_cap ? t->id_cap * 2 : 1024;
        Py_ssize_t *o = PyMem_Realloc(t->offset, sizeof(Py_ssize_t) * (size_t)cap);
        if (!o) { PyErr_NoMemory(); return -1; }
        t->offset = o;
        Py_ssize_t *l = PyMem_Realloc(t->length, sizeof(Py_ssize_t) * (size_t)cap);
        if (!l) { PyErr_NoMemory(); return -1; }
        t->length = l;
        t->id_cap = cap;
    }
    Py_ssize_t id = t->size++;
    t->offset[id] = t->arena.len;
    t->length[id] = n;
    memcpy(t->arena.data + t->arena.len, p, (size_t)n);
    t->arena.len += n;
    t->slots[j].tag = tag;
    t->slots[j].id = (int32_t)id;
    *is_new = 1;
    if (t->size * 2 > t->mask + 1 && table_grow(t) < 0) return -1;
    return id;
}

/* ------------------------------------------------------------- documents */

/* The UTF-8 bytes of lower(text) (or text), valid until the next call with the same
   `scratch`/`holder`. ASCII strings are read in place (lowered into `scratch`);
   others go through str.lower() and an encoder that keeps lone surrogates. */
static const unsigned char *document_bytes(PyObject *text, int lower, Bytes *scratch,
                                           PyObject **holder, Py_ssize_t *length) {
    Py_CLEAR(*holder);
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "expected str, got %.100s", Py_TYPE(text)->tp_name);
        return NULL;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(text) < 0) return NULL;
#endif
    if (PyUnicode_IS_ASCII(text)) {
        const unsigned char *data = (const unsigned char *)PyUnicode_DATA(text);
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        *length = n;
        if (!lower || n == 0) return data;   /* (an empty scratch buffer has no data) */
        scratch->len = 0;
        if (bytes_reserve(scratch, n) < 0) return NULL;
        unsigned char *out = (unsigned char *)scratch->data;
        for (Py_ssize_t i = 0; i < n; i++) {
            unsigned char c = data[i];
            out[i] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
        }
        return out;
    }
    PyObject *source = text;
    PyObject *lowered = NULL;
    if (lower) {
        lowered = PyObject_CallMethod(text, "lower", NULL);
        if (!lowered) return NULL;
        if (!PyUnicode_Check(lowered)) {
            PyErr_Format(PyExc_TypeError, "text.lower() returned %.100s, not str",
                         Py_TYPE(lowered)->tp_name);
            Py_DECREF(lowered);
            return NULL;
        }
        source = lowered;
    }
    *holder = PyUnicode_AsEncodedString(source, "utf-8", "surrogatepass");
    Py_XDECREF(lowered);
    if (!*holder) return NULL;
    *length = PyBytes_GET_SIZE(*holder);
    return (const unsigned char *)PyBytes_AS_STRING(*holder);
}

static int read_separators(PyObject *separators, unsigned char table[256]) {
    memset(table, 0, 256);
    if (!PyUnicode_Check(separators) || !PyUnicode_IS_ASCII(separators) || PyUnicode_GET_LENGTH(separators) == 0) {
        PyErr_SetString(PyExc_ValueError, "separators must be a non-empty ASCII str");
        return -1;
    }
    const unsigned char *s = (const unsigned char *)PyUnicode_DATA(separators);
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(separators); i++) table[s[i]] = 1;
    return 0;
}

static PyObject *decode_token(const char *p, Py_ssize_t n) {
    return PyUnicode_DecodeUTF8(p, n, "surrogatepass");
}

/* ------------------------------------------------------------ WordCounter */

typedef struct { Py_ssize_t count, docs, last_doc; } Stat;

typedef struct {
    PyObject_HEAD
    Table table;
    Stat *stats;          /* by token id */
    Py_ssize_t stats_cap;
    Py_ssize_t documents; /* documents added so far; the current one is documents - 1 */
    Bytes scratch;
} WordCounter;

static PyObject *counter_new(PyTypeObject *type, PyObject *args, PyObject *kwargs) {
    if (PyTuple_GET_SIZE(args) || (kwargs && PyDict_GET_SIZE(kwargs))) {
        PyErr_SetString(PyExc_TypeError, "WordCounter() takes no arguments");
        return NULL;
    }
    WordCounter *self = (WordCounter *)type->tp_alloc(type, 0);   /* zero-filled */
    if (!self) return NULL;
    if (table_init(&self->table) < 0) { Py_DECREF(self); return NULL; }
    return (PyObject *)self;
}

static void counter_dealloc(WordCounter *self) {
    table_free(&self->table);
    PyMem_Free(self->stats);
    PyMem_Free(self->scratch.data);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Count one occurrence of a token in the current document. */
static int counter_count(WordCounter *self, const unsigned char *p, Py_ssize_t n) {
    int is_new;
    Py_ssize_t id = table_intern(&self->table, p, n, &is_new);
    if (id < 0) return -1;
    if (is_new) {
        if (id >= self->stats_cap) {
            Py_ssize_t cap = self->stats_cap ? self->stats_cap * 2 : 4096;
            Stat *grown = PyMem_Realloc(self->stats, sizeof(Stat) * (size_t)cap);
            if (!grown) { PyErr_NoMemory(); return -1; }
            self->stats = grown;
            self->stats_cap = cap;
        }
        self->stats[id].count = 0;
        self->stats[id].docs = 0;
        self->stats[id].last_doc = -1;
    }
    Stat *st = &self->stats[id];
    st->count += 1;
    if (st->last_doc != self->documents - 1) {
        st->last_doc = self->documents - 1;
        st->docs += 1;
    }
    return 0;
}

static PyObject *counter_add_texts(WordCounter *self, PyObject *args) {
    PyObject *texts, *separators;
    int lower;
    if (!PyArg_ParseTuple(args, "O!pU:add_texts", &PyList_Type, &texts, &lower, &separators))
        return NULL;
    unsigned char sep[256];
    if (read_separators(separators, sep) < 0) return NULL;
    PyObject *holder = NULL;
    PyObject *items = PySequence_Tuple(texts);  /* see index_texts */
    if (!items) return NULL;
    for (Py_ssize_t d = 0; d < PyTuple_GET_SIZE(items); d++) {
        Py_ssize_t n;
        const unsigned char *p = document_bytes(PyTuple_GET_ITEM(items, d), lower, &self->scratch,
                                                &holder, &n);
        if (!p) goto fail;
        self->documents += 1;
        Py_ssize_t i = 0;
        while (i < n) {
            while (i < n && sep[p[i]]) i++;
            Py_ssize_t start = i;
            while (i < n && !sep[p[i]]) i++;
            if (i == start) break;
            if (counter_count(self, p + start, i - start) < 0) goto fail;
        }
    }
    Py_XDECREF(holder);
    Py_DECREF(items);
    Py_RETURN_NONE;
fail:
    Py_XDECREF(holder);
    Py_DECREF(items);
    return NULL;
}

static PyObject *counter_add_tokens(WordCounter *self, PyObject *tokens) {
    if (!PyList_Check(tokens)) {
        PyErr_SetString(PyExc_TypeError, "add_tokens expects a list of str");
        return NULL;
    }
    Py_ssize_t n_tokens = PyList_GET_SIZE(tokens);
    for (Py_ssize_t k = 0; k < n_tokens; k++) {      /* all or nothing */
        if (!PyUnicode_Check(PyList_GET_ITEM(tokens, k))) {
            PyErr_Format(PyExc_TypeError, "token %zd is %.100s, not str", k,
                         Py_TYPE(PyList_GET_ITEM(tokens, k))->tp_name);
            return NULL;
        }
    }
    PyObject *items = PySequence_Tuple(tokens);  /* see index_texts */
    if (!items) return NULL;
    self->documents += 1;
    PyObject *holder = NULL;
    for (Py_ssize_t k = 0; k < n_tokens; k++) {
        Py_ssize_t n;
        const unsigned char *p = document_bytes(PyTuple_GET_ITEM(items, k), 0, &self->scratch,
                                                &holder, &n);
        if (!p || counter_count(self, p, n) < 0) {
            Py_XDECREF(holder);
            Py_DECREF(items);
            return NULL;
        }
    }
    Py_XDECREF(holder);
    Py_DECREF(items);
    Py_RETURN_NONE;
}

static PyObject *counter_result(WordCounter *self, PyObject *Py_UNUSED(ignored)) {
    Py_ssize_t size = self->table.size;
    PyObject *words = PyList_New(size), *counts = PyList_New(size), *docs = PyList_New(size);
    if (!words || !counts || !docs) goto fail;
    for (Py_ssize_t id = 0; id < size; id++) {
        PyObject *w = decode_token(self->table.arena.data + self->table.offset[id],
                                   self->table.length[id]);
        if (!w) goto fail;
        PyList_SET_ITEM(words, id, w);
        PyObject *c = PyLong_FromSsize_t(self->stats[id].count);
        if (!c) goto fail;
        PyList_SET_ITEM(counts, id, c);
        PyObject *m = PyLong_FromSsize_t(self->stats[id].docs);
        if (!m) goto fail;
        PyList_SET_ITEM(docs, id, m);
    }
    return Py_BuildValue("(NNN)", words, counts, docs);
fail:
    Py_XDECREF(words);
    Py_XDECREF(counts);
    Py_XDECREF(docs);
    return NULL;
}

static PyMethodDef counter_methods[] = {
    {"add_texts", (PyCFunction)counter_add_texts, METH_VARARGS,
     "add_texts(texts, lower, separators): split each str of the list and count its words"},
    {"add_tokens", (PyCFunction)counter_add_tokens, METH_O,
     "add_tokens(tokens): count one document given as a list of str (all or nothing)"},
    {"result", (PyCFunction)counter_result, METH_NOARGS,
     "result() -> (words, counts, doc_counts), words in first-seen order"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject WordCounterType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "seqlab.text._ctokenize.WordCounter",
    .tp_doc = "Counts words and the documents they occur in, keeping first-seen order.",
    .tp_basicsize = sizeof(WordCounter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = counter_new,
    .tp_dealloc = (destructor)counter_dealloc,
    .tp_methods = counter_methods,
};

/* ------------------------------------------------------------ index_texts */

/* What a distinct token becomes (a new reference): the index object to emit, or
   Py_None to drop the token. NULL with an exception set on error. */
static PyObject *decide(PyObject *word, PyObject *word_index, PyObject *num_words,
                        PyObject *oov, int oov_missing) {
    PyObject *i = PyDict_GetItemWithError(word_index, word);
    if (!i) {
        if (PyErr_Occurred()) return NULL;
        if (oov != Py_None) { Py_INCREF(oov); return oov; }
        if (oov_missing) {
            PyErr_SetString(PyExc_ValueError,
                            "oov_token is set but has no index in word_index: "
                            "call fit_on_texts before texts_to_sequences");
            return NULL;
        }
        Py_RETURN_NONE;
    }
    Py_INCREF(i);  /* owned before the comparison, which may run Python code */
    if (num_words != Py_None) {
        int too_big = PyObject_RichCompareBool(i, num_words, Py_GE);
        if (too_big != 0) {
            Py_DECREF(i);
            if (too_big < 0) return NULL;
            if (oov != Py_None) { Py_INCREF(oov); return oov; }
            Py_RETURN_NONE;
        }
    }
    return i;
}

static PyObject *index_texts(PyObject *Py_UNUSED(module), PyObject *args) {
    PyObject *texts, *separators, *word_index, *num_words, *oov;
    int lower, oov_missing;
    if (!PyArg_ParseTuple(args, "O!pUO!OOp:index_texts", &PyList_Type, &texts, &lower,
                          &separators, &PyDict_Type, &word_index, &num_words, &oov, &oov_missing))
        return NULL;
    unsigned char sep[256];
    if (read_separators(separators, sep) < 0) return NULL;

    Table table;
    if (table_init(&table) < 0) return NULL;
    PyObject **decision = NULL;        /* per token id: owned ref, Py_None = drop */
    Py_ssize_t decided = 0, decision_cap = 0;
    PyObject **row = NULL;             /* borrowed refs of the current document */
    Py_ssize_t row_cap = 0;
    Bytes scratch = {NULL, 0, 0};
    PyObject *holder = NULL;
    /* A tuple copy: str.lower() of a str subclass may run code that changes the list. */
    PyObject *items = PySequence_Tuple(texts), *result = NULL;
    if (!items) goto fail;
    Py_ssize_t n_texts = PyTuple_GET_SIZE(items);
    result = PyList_New(n_texts);
    if (!result) goto fail;

    for (Py_ssize_t d = 0; d < n_texts; d++) {
        Py_ssize_t n, kept = 0;
        const unsigned char *p = document_bytes(PyTuple_GET_ITEM(items, d), lower, &scratch,
                                                &holder, &n);
        if (!p) goto fail;
        Py_ssize_t i = 0;
        while (i < n) {
            while (i < n && sep[p[i]]) i++;
            Py_ssize_t start = i;
            while (i < n && !sep[p[i]]) i++;
            if (i == start) break;
            int is_new;
            Py_ssize_t id = table_intern(&table, p + start, i - start, &is_new);
            if (id < 0) goto fail;
            if (is_new) {
                if (id >= decision_cap) {
                    Py_ssize_t grow = decision_cap ? decision_cap * 2 : 1024;
                    PyObject **g = PyMem_Realloc(decision, sizeof(PyObject *) * (size_t)grow);
                    if (!g) { PyErr_NoMemory(); goto fail; }
                    decision = g;
                    decision_cap = grow;
                }
                PyObject *word = decode_token((const char *)p + start, i - start);
                if (!word) goto fail;
                PyObject *choice = decide(word, word_index, num_words, oov, oov_missing);
                Py_DECREF(word);
                if (!choice) goto fail;
                decision[id] = choice;
                decided = id + 1;
            }
            PyObject *choice = decision[id];
            if (choice == Py_None) continue;
            if (kept >= row_cap) {
                Py_ssize_t grow = row_cap ? row_cap * 2 : 256;
                PyObject **g = PyMem_Realloc(row, sizeof(PyObject *) * (size_t)grow);
                if (!g) { PyErr_NoMemory(); goto fail; }
                row = g;
                row_cap = grow;
            }
            row[kept++] = choice;
        }
        PyObject *seq = PyList_New(kept);
        if (!seq) goto fail;
        for (Py_ssize_t k = 0; k < kept; k++) {
            Py_INCREF(row[k]);
            PyList_SET_ITEM(seq, k, row[k]);
        }
        PyList_SET_ITEM(result, d, seq);
    }
    goto done;

fail:
    Py_CLEAR(result);
done:
    Py_XDECREF(items);
    for (Py_ssize_t k = 0; k < decided; k++) Py_DECREF(decision[k]);
    PyMem_Free(decision);
    PyMem_Free(row);
    Py_XDECREF(holder);
    PyMem_Free(scratch.data);
    table_free(&table);
    return result;
}

/* ----------------------------------------------------------------- module */

static PyMethodDef methods[] = {
    {"index_texts", index_texts, METH_VARARGS,
     "index_texts(texts, lower, separators, word_index, num_words, oov, oov_missing)"
     " -> list of lists of int"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_ctokenize",
    "Compiled word splitting, counting and indexing behind seqlab.text.Tokenizer.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__ctokenize(void) {
    if (PyType_Ready(&WordCounterType) < 0) return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&WordCounterType);
    if (PyModule_AddObject(m, "WordCounter", (PyObject *)&WordCounterType) < 0) {
        Py_DECREF(&WordCounterType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
