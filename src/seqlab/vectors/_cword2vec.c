/* seqlab's compiled word2vec kernel: negative-sampling updates for CBOW and skip-gram.
 *
 * Two functions, called from seqlab/vectors/_word2vec_jobs.py:
 *
 *   encode(sentences, vocab) -> (words: bytes of int32, ends: bytes of int64, raw: int)
 *       Looks each token up in the vocab dict (str -> int), drops out-of-vocabulary
 *       tokens, and packs a job's sentences into one int32 array with sentence ends.
 *       Holds the GIL (it reads Python objects).
 *
 *   train_job(syn0, syn1neg, words, ends, keep, alias_prob, alias_index, sg, window,
 *             shrink_windows, negative, cbow_mean, alpha_start, alpha_end, seed) -> int
 *       Trains on one job with the GIL released, so worker threads run in parallel and
 *       update the shared matrices without locks ("Hogwild", as word2vec.c and gensim do).
 *       Returns the number of words left after frequent-word subsampling.
 *
 * The pure-Python module _word2vec_reference.py computes exactly the same updates with
 * the same random numbers; tests compare the two. Read it first: it is the specification.
 * Random numbers come from splitmix64, seeded per job, so a job's random choices depend
 * only on (seed, job number), never on thread timing.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The helpers are forced inline into train_sentence: left to itself gcc keeps predict()
 * out of line, which measured ~20% slower. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

#define FULL_THRESHOLD ((uint64_t)1 << 32) /* a threshold meaning "always" */

HOT uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* An integer in [0, n) from the top 32 bits of r (Lemire's multiply-shift). */
HOT uint64_t below(uint64_t r, uint64_t n) { return ((r >> 32) * n) >> 32; }

typedef struct {
    float *syn0, *syn1neg;
    const uint64_t *keep;                   /* per word: keep if low 32 random bits < keep */
    const uint64_t *alias_prob;             /* Vose alias table of counts^ns_exponent */
    const int32_t *alias_index;
    int64_t vocab_size;
    int dim, sg, window, shrink_windows, negative, cbow_mean;
    int32_t *kept;                          /* one sentence after subsampling */
    int32_t *targets;                       /* a prediction's target and negatives */
    float *neu1, *neu1e;                    /* hidden layer and its accumulated error */
    uint64_t state;
} Job;

HOT float dot(const float *restrict a, const float *restrict b, int n)
{
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int k = 0; k < n; k++)
        sum += a[k] * b[k];
    return sum;
}

HOT void axpy(float alpha, const float *restrict x, float *restrict y, int n)
{
#pragma omp simd
    for (int k = 0; k < n; k++)
        y[k] += alpha * x[k];
}

HOT int32_t negative_word(Job *job)
{
    uint64_t r = next_random(&job->state);
    int64_t column = (int64_t)below(r, (uint64_t)job->vocab_size);
    return (r & 0xFFFFFFFFULL) < job->alias_prob[column] ? (int32_t)column
                                                          : job->alias_index[column];
}

HOT void prefetch_row(const float *row, int dim)
{
#if defined(__GNUC__)
    for (int k = 0; k < dim; k += 16) /* one 64-byte cache line per 16 floats */
        __builtin_prefetch(row + k, 1, 3);
#else
    (void)row, (void)dim;
#endif
}

/* One target word and its negatives, seen from the hidden vector h:
 *   g = alpha * (label - sigmoid(h . v_t)),  e += g * v_t,  v_t += g * h
 * with label 1 for the target and 0 for each negative (a negative equal to the target
 * is skipped). The caller adds e to the input vectors.
 *
 * The rows are mostly far apart in memory, so the time goes into fetching them rather
 * than into arithmetic: all negatives are drawn first and their rows requested together,
 * so that the memory fetches overlap instead of happening one after another. */
HOT void predict(Job *job, const float *h, int32_t target, float alpha)
{
    const int dim = job->dim;
    int32_t *words = job->targets;
    words[0] = target;
    prefetch_row(job->syn1neg + (int64_t)target * dim, dim);
    for (int d = 1; d <= job->negative; d++) {
        words[d] = negative_word(job);
        prefetch_row(job->syn1neg + (int64_t)words[d] * dim, dim);
    }
    memset(job->neu1e, 0, sizeof(float) * (size_t)dim);
    for (int d = 0; d <= job->negative; d++) {
        if (d > 0 && words[d] == target)
            continue;
        float label = d == 0 ? 1.0f : 0.0f;
        float *v = job->syn1neg + (int64_t)words[d] * dim;
        float f = dot(h, v, dim);
        float g = alpha * (label - 1.0f / (1.0f + expf(-f)));
        axpy(g, v, job->neu1e, dim);
        axpy(g, h, v, dim);
    }
}

static int64_t train_sentence(Job *job, const int32_t *words, int64_t length, float alpha)
{
    const int dim = job->dim;
    int64_t n = 0;
    for (int64_t i = 0; i < length; i++) {
        int32_t word = words[i];
        if (job->keep[word] < FULL_THRESHOLD &&
            (next_random(&job->state) & 0xFFFFFFFFULL) >= job->keep[word])
            continue;
        job->kept[n++] = word;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t reach = job->window;
        if (job->shrink_windows)
            reach -= (int64_t)below(next_random(&job->state), (uint64_t)job->window);
        int64_t first = i - reach < 0 ? 0 : i - reach;
        int64_t last = i + reach >= n ? n - 1 : i + reach;
        if (job->sg) {
            for (int64_t j = first; j <= last; j++) {
                if (j == i)
                    continue;
                float *input = job->syn0 + (int64_t)job->kept[j] * dim;
                if (j < last)
                    prefetch_row(job->syn0 + (int64_t)job->kept[j + 1] * dim, dim);
                predict(job, input, job->kept[i], alpha);
                axpy(1.0f, job->neu1e, input, dim);
            }
            continue;
        }
        int count = 0;
        memset(job->neu1, 0, sizeof(float) * (size_t)dim);
        for (int64_t j = first; j <= last; j++) {
            if (j == i)
                continue;
            axpy(1.0f, job->syn0 + (int64_t)job->kept[j] * dim, job->neu1, dim);
            count++;
        }
        if (count == 0)
            continue;
        if (job->cbow_mean) {
            float inverse = 1.0f / (float)count;
            for (int k = 0; k < dim; k++)
                job->neu1[k] *= inverse;
        }
        predict(job, job->neu1, job->kept[i], alpha);
        for (int64_t j = first; j <= last; j++)
            if (j != i)
                axpy(1.0f, job->neu1e, job->syn0 + (int64_t)job->kept[j] * dim, dim);
    }
    return n;
}

static int64_t train_sentences(Job *job, const int32_t *words, const int64_t *ends,
                               int64_t sentences, double alpha_start, double alpha_end)
{
    int64_t total = sentences ? ends[sentences - 1] : 0, start = 0, trained = 0;
    for (int64_t s = 0; s < sentences; s++) {
        /* the learning rate falls linearly across the job, sentence by sentence */
        float alpha = (float)(alpha_start + (alpha_end - alpha_start) * (double)start /
                                                (double)total);
        trained += train_sentence(job, words + start, ends[s] - start, alpha);
        start = ends[s];
    }
    return trained;
}

static int check_size(Py_buffer *buffer, Py_ssize_t expected, const char *name)
{
    if (buffer->len != expected) {
        PyErr_Format(PyExc_ValueError, "train_job: %s has %zd bytes, expected %zd", name,
                     buffer->len, expected);
        return -1;
    }
    return 0;
}

static PyObject *train_job(PyObject *self, PyObject *args)
{
    Py_buffer syn0, syn1neg, words, ends, keep, alias_prob, alias_index;
    int sg, window, shrink_windows, negative, cbow_mean;
    double alpha_start, alpha_end;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "w*w*y*y*y*y*y*iiiiiddK", &syn0, &syn1neg, &words, &ends,
                          &keep, &alias_prob, &alias_index, &sg, &window, &shrink_windows,
                          &negative, &cbow_mean, &alpha_start, &alpha_end, &seed))
        return NULL;
    PyObject *result = NULL;
    Job job = {0};
    int64_t vocab_size = keep.len / (Py_ssize_t)sizeof(uint64_t);
    int64_t sentences = ends.len / (Py_ssize_t)sizeof(int64_t);
    int64_t length = words.len / (Py_ssize_t)sizeof(int32_t);
    int dim = vocab_size ? (int)(syn0.len / (Py_ssize_t)sizeof(float) / vocab_size) : 0;
    if (vocab_size == 0 || dim <= 0 || window < 1 || negative < 0 ||
        check_size(&syn0, (Py_ssize_t)(vocab_size * dim * sizeof(float)), "syn0") ||
        check_size(&syn1neg, syn0.len, "syn1neg") ||
        check_size(&alias_prob, keep.len, "alias_prob") ||
        check_size(&alias_index, (Py_ssize_t)(vocab_size * sizeof(int32_t)), "alias_index")) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "train_job: empty vocabulary or bad settings");
        goto done;
    }
    const int32_t *word_ids = words.buf;
    const int64_t *sentence_ends = ends.buf;
    int64_t longest = 0, previous = 0;
    for (int64_t s = 0; s < sentences; s++) {
        if (sentence_ends[s] < previous || sentence_ends[s] > length) {
            PyErr_SetString(PyExc_ValueError, "train_job: sentence ends out of order");
            goto done;
        }
        if (sentence_ends[s] - previous > longest)
            longest = sentence_ends[s] - previous;
        previous = sentence_ends[s];
    }
    for (int64_t i = 0; i < length; i++)
        if (word_ids[i] < 0 || word_ids[i] >= vocab_size) {
            PyErr_Format(PyExc_ValueError, "train_job: word id %d is outside the vocabulary "
                         "of %lld words", (int)word_ids[i], (long long)vocab_size);
            goto done;
        }
    const int32_t *aliases = alias_index.buf;
    for (int64_t w = 0; w < vocab_size; w++)
        if (aliases[w] < 0 || aliases[w] >= vocab_size) {
            PyErr_SetString(PyExc_ValueError, "train_job: alias table out of range");
            goto done;
        }
    job.syn0 = syn0.buf;
    job.syn1neg = syn1neg.buf;
    job.keep = keep.buf;
    job.alias_prob = alias_prob.buf;
    job.alias_index = aliases;
    job.vocab_size = vocab_size;
    job.dim = dim;
    job.sg = sg;
    job.window = window;
    job.shrink_windows = shrink_windows;
    job.negative = negative;
    job.cbow_mean = cbow_mean;
    job.state = seed;
    job.kept = malloc(sizeof(int32_t) * (size_t)(longest + 1 + negative));
    job.neu1 = malloc(sizeof(float) * (size_t)dim * 2);
    if (!job.kept || !job.neu1) {
        PyErr_NoMemory();
        goto done;
    }
    job.targets = job.kept + longest;
    job.neu1e = job.neu1 + dim;
    int64_t trained;
    Py_BEGIN_ALLOW_THREADS
    trained = train_sentences(&job, word_ids, sentence_ends, sentences, alpha_start, alpha_end);
    Py_END_ALLOW_THREADS
    result = PyLong_FromLongLong(trained);
done:
    free(job.kept);
    free(job.neu1);
    PyBuffer_Release(&syn0);
    PyBuffer_Release(&syn1neg);
    PyBuffer_Release(&words);
    PyBuffer_Release(&ends);
    PyBuffer_Release(&keep);
    PyBuffer_Release(&alias_prob);
    PyBuffer_Release(&alias_index);
    return result;
}

/* A growable byte buffer for encode's outputs. */
typedef struct {
    char *data;
    Py_ssize_t used, size;
} Bytes;

static int append(Bytes *bytes, const void *item, Py_ssize_t n)
{
    if (bytes->used + n > bytes->size) {
        Py_ssize_t size = bytes->size ? bytes->size * 2 : 4096;
        while (size < bytes->used + n)
            size *= 2;
        char *data = realloc(bytes->data, (size_t)size);
        if (!data) {
            PyErr_NoMemory();
            return -1;
        }
        bytes->data = data;
        bytes->size = size;
    }
    memcpy(bytes->data + bytes->used, item, (size_t)n);
    bytes->used += n;
    return 0;
}

static PyObject *encode(PyObject *self, PyObject *args)
{
    PyObject *sentences, *vocab, *result = NULL;
    if (!PyArg_ParseTuple(args, "OO!", &sentences, &PyDict_Type, &vocab))
        return NULL;
    PyObject *outer = PySequence_Fast(sentences, "encode: sentences must be a sequence");
    if (!outer)
        return NULL;
    Bytes words = {0}, ends = {0};
    long long raw = 0;
    Py_ssize_t count = PySequence_Fast_GET_SIZE(outer);
    for (Py_ssize_t s = 0; s < count; s++) {
        PyObject *sentence = PySequence_Fast_GET_ITEM(outer, s);
        PyObject *tokens = PySequence_Fast(sentence, "a sentence must be a list of tokens");
        if (!tokens)
            goto done;
        Py_ssize_t length = PySequence_Fast_GET_SIZE(tokens);
        PyObject **items = PySequence_Fast_ITEMS(tokens);
        for (Py_ssize_t t = 0; t < length; t++) {
            if (!PyUnicode_Check(items[t])) {
                PyErr_Format(PyExc_TypeError, "token %zd of a sentence is %R (%s), not a str",
                             t, items[t], Py_TYPE(items[t])->tp_name);
                Py_DECREF(tokens);
                goto done;
            }
            PyObject *index = PyDict_GetItemWithError(vocab, items[t]);
            if (!index) {
                if (PyErr_Occurred()) {
                    Py_DECREF(tokens);
                    goto done;
                }
                continue; /* out of vocabulary */
            }
            int32_t id = (int32_t)PyLong_AsLong(index);
            if (append(&words, &id, sizeof id) < 0) {
                Py_DECREF(tokens);
                goto done;
            }
        }
        raw += length;
        Py_DECREF(tokens);
        int64_t end = words.used / (Py_ssize_t)sizeof(int32_t);
        int64_t previous = ends.used ? ((int64_t *)ends.data)[ends.used / sizeof(int64_t) - 1] : 0;
        if (end == previous)
            continue; /* nothing left of this sentence */
        if (append(&ends, &end, sizeof end) < 0)
            goto done;
    }
    result = Py_BuildValue("y#y#L", words.data ? words.data : "", words.used,
                           ends.data ? ends.data : "", ends.used, raw);
done:
    free(words.data);
    free(ends.data);
    Py_DECREF(outer);
    return result;
}

static PyMethodDef methods[] = {
    {"train_job", train_job, METH_VARARGS, "Train word2vec on one job of encoded sentences."},
    {"encode", encode, METH_VARARGS, "Sentences of str tokens to int32 word ids and ends."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_cword2vec", "seqlab's compiled word2vec kernel.", -1, methods,
};

PyMODINIT_FUNC PyInit__cword2vec(void) { return PyModule_Create(&module); }
