/* seqlab's compiled recurrent kernels: the whole time loop of SimpleRNN, LSTM and GRU
 * (both reset_after variants), forward and hand-derived backward, in C.
 *
 * Called only from seqlab/layers/compiled.py, which owns the autograd functions and
 * decides what the loops compute (see its docstring). Per step: the products on
 * register tiles (the inputs are projected inside the loop), one pass of gate
 * non-linearities over each row, and in the LSTM and SimpleRNN backward pass dx and the
 * weight-gradient sums. The batch is split across threads (rows are independent, so
 * each thread runs the whole time loop for its rows, with no synchronisation between
 * steps). The GIL is released. Without OpenMP (a compiler that lacks it) the loops run
 * on one thread.
 *
 * Every function takes (double, B, T, u, reverse, threads, option, gate_slots,
 * cell_slots, state_slots, F) then raw data pointers (0 for absent) of contiguous CPU
 * tensors that compiled.py has checked, in the order of the ENTRY lines below; see
 * _crnn_kernels.h for the buffers and equations. float32 uses vectorised exp/tanh
 * approximations accurate to a few ulp; float64 uses libm (gradient checks need its
 * smoothness).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#error "the recurrent kernels need GCC vector extensions (gcc or clang)"
#endif

#if defined(__AVX512F__)
#define VECTOR_BYTES 64
#else
#define VECTOR_BYTES 32
#endif
typedef float vf __attribute__((vector_size(VECTOR_BYTES), aligned(4), may_alias));
typedef int32_t vi __attribute__((vector_size(VECTOR_BYTES), aligned(4), may_alias));
typedef double vd __attribute__((vector_size(VECTOR_BYTES), aligned(8), may_alias));
#define VLF (VECTOR_BYTES / 4)
#define ROW_ALIGN 8 /* thread chunks start at multiples of every tile's row count */
#define WIDE_K 128 /* products with this many terms use the tall tiles (see gemm) */

/* exp(x) for 8 floats: x = n ln2 + r, |r| <= ln2/2, exp(r) by its Taylor series to r^7
 * (error < 6e-9), 2^n built in the exponent bits. x is clamped to [-87, 88]. */
HOT vf choose(vi where, vf yes, vf no) { return (vf)((where & (vi)yes) | (~where & (vi)no)); }

HOT vf vexp(vf x)
{
    const vf lo = (vf){0} - 87.0f, hi = (vf){0} + 88.0f;
    x = choose(x < lo, lo, x);
    x = choose(x > hi, hi, x);
    vf n = (x * 1.44269504f + 12582912.0f) - 12582912.0f; /* round to nearest */
    vf r = x - n * 0.693359375f;                            /* ln 2 in two parts */
    r = r + n * 2.12194440e-4f;
    vf p = (vf){0} + 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    vi bits = (__builtin_convertvector(n, vi) + 127) << 23;
    return p * (vf)bits;
}

HOT vf vsigmoid(vf x) { return 1.0f / (1.0f + vexp(-x)); }

/* tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|); below |x| = 0.3, where 1 - e
 * would cancel, its odd Taylor series to x^9 (error < 2e-8). */
HOT vf vtanh(vf x)
{
    const vi sign = (vi){0} + (int32_t)0x80000000;
    vf a = (vf)((vi)x & ~sign);
    vf e = vexp(-2.0f * a);
    vf big = (1.0f - e) / (1.0f + e);
    vf a2 = a * a;
    vf poly = (vf){0} + 62.0f / 2835;
    poly = poly * a2 - 17.0f / 315;
    poly = poly * a2 + 2.0f / 15;
    poly = poly * a2 - 1.0f / 3;
    poly = a + a * a2 * poly;
    vf magnitude = choose(a < (vf){0} + 0.3f, poly, big);
    return (vf)((vi)magnitude | ((vi)x & sign));
}

static void sigmoid_f32(float *out, const float *in, Py_ssize_t n)
{
    Py_ssize_t k = 0;
    for (; k + VLF <= n; k += VLF)
        *(vf *)(out + k) = vsigmoid(*(const vf *)(in + k));
    for (; k < n; k++)
        out[k] = 1.0f / (1.0f + expf(-in[k]));
}

static void tanh_f32(float *out, const float *in, Py_ssize_t n)
{
    Py_ssize_t k = 0;
    for (; k + VLF <= n; k += VLF)
        *(vf *)(out + k) = vtanh(*(const vf *)(in + k));
    for (; k < n; k++)
        out[k] = tanhf(in[k]);
}

static void sigmoid_f64(double *out, const double *in, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++)
        out[k] = 1.0 / (1.0 + exp(-in[k]));
}

static void tanh_f64(double *out, const double *in, Py_ssize_t n)
{
    for (Py_ssize_t k = 0; k < n; k++)
        out[k] = tanh(in[k]);
}

#define R float
#define V vf
#define VL (VECTOR_BYTES / 4)
#define SFX _f32
#define SIGMOID sigmoid_f32
#define TANH tanh_f32
#include "_crnn_kernels.h"
#undef R
#undef V
#undef VL
#undef SFX
#undef SIGMOID
#undef TANH

#define R double
#define V vd
#define VL (VECTOR_BYTES / 8)
#define SFX _f64
#define SIGMOID sigmoid_f64
#define TANH tanh_f64
#include "_crnn_kernels.h"
#undef R
#undef V
#undef VL
#undef SFX
#undef SIGMOID
#undef TANH

/* ---- Threads: rows [0, B) in `threads` contiguous chunks, one per thread. ----
 * OpenMP, so that the threads are torch's own: torch ships libgomp.so.1 and has loaded
 * it before this module, and the loader gives us the same copy. A second pool of
 * threads would fight torch's spinning workers for the cores. */

typedef void (*RowFunction)(void *job, int chunk, Py_ssize_t r0, Py_ssize_t r1);

#define MIN_ROWS_PER_THREAD 8  /* below this a thread costs more than it saves */

/* Chunks start at multiples of ROW_ALIGN, so that a row lands in the same kind of tile
 * (full or remainder, whose roundings differ) whatever the number of threads: the
 * results are bitwise the same on any number of threads. */
static void run_rows(RowFunction function, void *job, Py_ssize_t B, int threads)
{
    if (threads > B / MIN_ROWS_PER_THREAD)
        threads = (int)(B / MIN_ROWS_PER_THREAD);
    if (threads < 1)
        threads = 1;
#ifdef _OPENMP
#pragma omp parallel num_threads(threads)
    {
        Py_ssize_t t = omp_get_thread_num(), count = omp_get_num_threads();
        Py_ssize_t blocks = B / ROW_ALIGN, r0 = blocks * t / count * ROW_ALIGN;
        Py_ssize_t r1 = t + 1 == count ? B : blocks * (t + 1) / count * ROW_ALIGN;
        function(job, (int)t, r0, r1);
    }
#else
    function(job, 0, 0, B);
#endif
}

/* ---- Python entry points ---- */

typedef struct {
    int is_double, reverse, threads, option;
    Py_ssize_t B, T, u, gate_slots, cell_slots, state_slots, F;
    unsigned long long p[24];
} Call;

#define HEAD 11 /* the arguments before the pointers */

/* Parses (double, B, T, u, reverse, threads, option, gate_slots, cell_slots, state_slots,
 * F, pointers...) into `call`; F is the raw inputs' width (0 when xp is given). */
static int parse(PyObject *args, Call *call, int pointers)
{
    Py_ssize_t given = PyTuple_Size(args);
    if (pointers > (int)(sizeof call->p / sizeof call->p[0])) {
        PyErr_SetString(PyExc_SystemError, "too many pointers for Call.p");
        return 0;
    }
    if (given != HEAD + pointers) {
        PyErr_Format(PyExc_TypeError, "expected %d arguments, got %zd", HEAD + pointers, given);
        return 0;
    }
    PyObject *head = PyTuple_GetSlice(args, 0, HEAD);
    int ok = head && PyArg_ParseTuple(head, "pnnnpiinnnn", &call->is_double, &call->B,
                                      &call->T, &call->u, &call->reverse, &call->threads,
                                      &call->option, &call->gate_slots, &call->cell_slots,
                                      &call->state_slots, &call->F);
    Py_XDECREF(head);
    if (!ok)
        return 0;
    if (call->gate_slots < 1 || call->cell_slots < 1 || call->state_slots < 1) {
        PyErr_SetString(PyExc_ValueError, "time slots must be positive");
        return 0;
    }
    for (int k = 0; k < pointers; k++) {
        call->p[k] = PyLong_AsUnsignedLongLong(PyTuple_GET_ITEM(args, HEAD + k));
        if (PyErr_Occurred())
            return 0;
    }
    return 1;
}

#define POINTER(type, k) ((type)(uintptr_t)call.p[k])

/* Fills a Job of either type from `call`, following the argument order of each entry;
 * FIELDS name the element type `Real`, a typedef local to each branch. */
#define FILL(JOB, FIELDS)                                                                 \
    JOB job = {0};                                                                        \
    job.B = call.B; job.T = call.T; job.u = call.u; job.reverse = call.reverse;           \
    job.gate_slots = call.gate_slots; job.cell_slots = call.cell_slots;                   \
    job.state_slots = call.state_slots; job.F = call.F;                                   \
    FIELDS

static PyObject *finish(int failed)
{
    if (failed)
        return PyErr_NoMemory();
    Py_RETURN_NONE;
}

/* One entry point per kernel: the same code for both types, chosen at run time. */
#define ENTRY(NAME, COUNT, FIELDS)                                                        \
    static PyObject *py_##NAME(PyObject *self, PyObject *args)                            \
    {                                                                                     \
        Call call;                                                                        \
        int failed;                                                                       \
        (void)self;                                                                       \
        if (!parse(args, &call, COUNT))                                                   \
            return NULL;                                                                  \
        if (call.is_double) {                                                             \
            typedef double Real;                                                          \
            FILL(Job_f64, FIELDS)                                                 \
            Py_BEGIN_ALLOW_THREADS                                                        \
            run_rows(NAME##_f64, &job, call.B, call.threads);                             \
            Py_END_ALLOW_THREADS                                                          \
            failed = job.failed;                                                          \
        } else {                                                                          \
            typedef float Real;                                                           \
            FILL(Job_f32, FIELDS)                                                  \
            Py_BEGIN_ALLOW_THREADS                                                        \
            run_rows(NAME##_f32, &job, call.B, call.threads);                             \
            Py_END_ALLOW_THREADS                                                          \
            failed = job.failed;                                                          \
        }                                                                                 \
        return finish(failed);                                                            \
    }

ENTRY(lstm_forward, 14,
      job.xp = POINTER(const Real *, 0); job.h0 = POINTER(const Real *, 1);
      job.c0 = POINTER(const Real *, 2); job.U = POINTER(const Real *, 3);
      job.m = POINTER(const Real *, 4); job.M = POINTER(const unsigned char *, 5);
      job.A = POINTER(Real *, 6); job.C = POINTER(Real *, 7); job.TC = POINTER(Real *, 8);
      job.H = POINTER(Real *, 9); job.x = POINTER(const Real *, 10);
      job.W = POINTER(const Real *, 11); job.x_bias = POINTER(const Real *, 12);
      job.WU = POINTER(const Real *, 13);)

ENTRY(lstm_backward, 19,
      job.dH = POINTER(const Real *, 0); job.dc_last = POINTER(const Real *, 1);
      job.c0 = POINTER(const Real *, 2); job.UT = POINTER(const Real *, 3);
      job.m = POINTER(const Real *, 4); job.M = POINTER(const unsigned char *, 5);
      job.A = POINTER(Real *, 6); job.C = POINTER(Real *, 7); job.TC = POINTER(Real *, 8);
      job.dh0 = POINTER(Real *, 9); job.dc0 = POINTER(Real *, 10);
      job.h0 = POINTER(const Real *, 11); job.H = POINTER(Real *, 12);
      job.x = POINTER(const Real *, 13); job.VT = POINTER(const Real *, 14);
      job.dx = POINTER(Real *, 15); job.dweights = POINTER(Real *, 16);
      job.dXp = POINTER(Real *, 17); job.dh_last = POINTER(const Real *, 18);)

ENTRY(gru_forward, 12,
      job.reset_after = call.option;
      job.xp = POINTER(const Real *, 0); job.h0 = POINTER(const Real *, 1);
      job.U = POINTER(const Real *, 2); job.bias = POINTER(const Real *, 3);
      job.m = POINTER(const Real *, 4); job.M = POINTER(const unsigned char *, 5);
      job.A = POINTER(Real *, 6); job.Q = POINTER(Real *, 7); job.H = POINTER(Real *, 8);
      job.x = POINTER(const Real *, 9); job.W = POINTER(const Real *, 10);
      job.x_bias = POINTER(const Real *, 11);)

ENTRY(gru_backward, 12,
      job.reset_after = call.option;
      job.dH = POINTER(const Real *, 0); job.h0 = POINTER(const Real *, 1);
      job.UT = POINTER(const Real *, 2); job.m = POINTER(const Real *, 3);
      job.M = POINTER(const unsigned char *, 4); job.A = POINTER(Real *, 5);
      job.Q = POINTER(Real *, 6); job.H = POINTER(Real *, 7); job.dXp = POINTER(Real *, 8);
      job.dQ = POINTER(Real *, 9); job.dh0 = POINTER(Real *, 10);
      job.dh_last = POINTER(const Real *, 11);)

ENTRY(rnn_forward, 10,
      job.activation = call.option;
      job.xp = POINTER(const Real *, 0); job.h0 = POINTER(const Real *, 1);
      job.U = POINTER(const Real *, 2); job.m = POINTER(const Real *, 3);
      job.M = POINTER(const unsigned char *, 4); job.H = POINTER(Real *, 5);
      job.x = POINTER(const Real *, 6); job.W = POINTER(const Real *, 7);
      job.x_bias = POINTER(const Real *, 8); job.WU = POINTER(const Real *, 9);)

ENTRY(rnn_backward, 13,
      job.activation = call.option;
      job.dH = POINTER(const Real *, 0); job.UT = POINTER(const Real *, 1);
      job.m = POINTER(const Real *, 2); job.M = POINTER(const unsigned char *, 3);
      job.H = POINTER(Real *, 4); job.dh0 = POINTER(Real *, 5);
      job.h0 = POINTER(const Real *, 6); job.x = POINTER(const Real *, 7);
      job.VT = POINTER(const Real *, 8); job.dx = POINTER(Real *, 9);
      job.dweights = POINTER(Real *, 10); job.dXp = POINTER(Real *, 11);
      job.dh_last = POINTER(const Real *, 12);)

/* glibc gives freed blocks above 128 KiB back to the OS and faults fresh pages in at the
 * next allocation; for a training loop that allocates the same large tensors every step
 * this is about half of plain torch's step time on these models. Keep them instead (what
 * MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ do from the environment). Returns
 * whether glibc accepted both settings. */
static PyObject *py_keep_freed_memory(PyObject *self, PyObject *unused)
{
    (void)self; (void)unused;
#ifdef __GLIBC__
    int ok = mallopt(M_MMAP_THRESHOLD, 1 << 30) && mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
    return PyBool_FromLong(ok);
#else
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef methods[] = {
    {"keep_freed_memory", py_keep_freed_memory, METH_NOARGS,
     "Tell glibc's malloc to keep freed memory for reuse (True if it agreed)."},
    {"lstm_forward", py_lstm_forward, METH_VARARGS, "LSTM time loop, forward."},
    {"lstm_backward", py_lstm_backward, METH_VARARGS, "LSTM time loop, backward."},
    {"gru_forward", py_gru_forward, METH_VARARGS, "GRU time loop, forward."},
    {"gru_backward", py_gru_backward, METH_VARARGS, "GRU time loop, backward."},
    {"rnn_forward", py_rnn_forward, METH_VARARGS, "SimpleRNN time loop, forward."},
    {"rnn_backward", py_rnn_backward, METH_VARARGS, "SimpleRNN time loop, backward."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_crnn",
                                    "seqlab's compiled recurrent kernels (see compiled.py).",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__crnn(void) { return PyModule_Create(&module); }
