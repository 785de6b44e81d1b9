/* The recurrent kernels for one floating type, included by _crnn.c once per type with
 *
 *   R    the type (float or double)     V    a vector of R (GCC vector extension)
 *   VL   lanes of V                     SFX  suffix for every name (_f32, _f64)
 *   SIGMOID(out, in, n), TANH(out, in, n): the activations over arrays
 *
 * Layout (see compiled.py, which owns the meaning): every per-step buffer is time-major,
 * (T, B, width), so that one step of every row is one contiguous block, and indexed by the
 * step's ORIGINAL time position p, also with `reverse` (go_backwards), where step s of
 * the processing order sits at p = T - 1 - s. h_in is h_{t-1} times the
 * recurrent-dropout mask m (B, u) when there is one; M (T, B) is the time mask (1 = real).
 * At a masked step the states keep their previous values; in the backward pass the cell
 * gets no gradient there and the state gradients pass straight back.
 */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define F(name) CAT(name, SFX)
/* The element-wise loops: their buffers never overlap, which gcc cannot prove. */
#define EACH(k, n) _Pragma("GCC ivdep") for (Py_ssize_t k = 0; k < (n); k++)

/* C = X + A @ Bm (X may be C itself, or NULL for zero; ldx 0 broadcasts one row of X),
 * A (M, K) with element (r, k) at A[r lda + k ka], Bm (K, N) with row stride ldb, C (M, N)
 * with stride ldc, on register tiles of mr rows x nv vectors: each Bm vector loaded is
 * used mr times. */
HOT void F(tile)(int mr, int nv, Py_ssize_t K, const R *A, Py_ssize_t lda, Py_ssize_t ka,
                 const R *Bm, Py_ssize_t ldb, const R *X, Py_ssize_t ldx, R *C, Py_ssize_t ldc)
{
    V acc[8][4];
#pragma GCC unroll 8
    for (int r = 0; r < mr; r++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            acc[r][v] = X ? *(const V *)(X + r * ldx + v * VL) : (V){0};
    for (Py_ssize_t k = 0; k < K; k++) {
        V b[4];
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            b[v] = *(const V *)(Bm + k * ldb + v * VL);
#pragma GCC unroll 8
        for (int r = 0; r < mr; r++) {
            R a = A[r * lda + k * ka];
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++)
                acc[r][v] += a * b[v];
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < mr; r++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++)
            *(V *)(C + r * ldc + v * VL) = acc[r][v];
}

/* The whole product on mr x nv tiles, then the leftover rows and columns. */
HOT void F(tiled)(int mr, int nv, Py_ssize_t M, Py_ssize_t N, Py_ssize_t K, const R *A,
                  Py_ssize_t lda, Py_ssize_t ka, const R *Bm, Py_ssize_t ldb, const R *X,
                  Py_ssize_t ldx, R *C, Py_ssize_t ldc)
{
#define TILE(rows, vectors) F(tile)(rows, vectors, K, A + i * lda, lda, ka, Bm + j, ldb,    \
                                    X ? X + i * ldx + j : NULL, ldx, C + i * ldc + j, ldc)
    Py_ssize_t j = 0;
    for (; j + nv * VL <= N; j += nv * VL) {
        Py_ssize_t i = 0;
        for (; i + mr <= M; i += mr)
            TILE(mr, nv);
        for (; i < M; i++)
            TILE(1, nv);
    }
    for (; j + VL <= N; j += VL) {
        Py_ssize_t i = 0;
        for (; i + mr <= M; i += mr)
            TILE(mr, 1);
        for (; i < M; i++)
            TILE(1, 1);
    }
#undef TILE
    for (; j < N; j++)  /* the last N % VL columns */
        for (Py_ssize_t i = 0; i < M; i++) {
            R sum = X ? X[i * ldx + j] : 0;
            for (Py_ssize_t k = 0; k < K; k++)
                sum += A[i * lda + k * ka] * Bm[k * ldb + j];
            C[i * ldc + j] = sum;
        }
}

/* Small products (the units of the course's models) are fastest on 4 x 4 tiles; large
 * ones on 8 x 2, whose panel of Bm (K x 2 vectors) stays in L1 (measured with
 * bench/bench_rnn.py: LSTM(256) from ~95 to ~150 GFLOP/s). Every row lands in the same
 * kind of tile whatever the number of threads, as chunks start at multiples of 8. */
static void F(gemm)(Py_ssize_t M, Py_ssize_t N, Py_ssize_t K, const R *A, Py_ssize_t lda,
                    const R *Bm, Py_ssize_t ldb, const R *X, Py_ssize_t ldx, R *C,
                    Py_ssize_t ldc)
{
    if (K >= WIDE_K)
        F(tiled)(8, 2, M, N, K, A, lda, 1, Bm, ldb, X, ldx, C, ldc);
    else
        F(tiled)(4, 4, M, N, K, A, lda, 1, Bm, ldb, X, ldx, C, ldc);
}

/* C += A^T @ Bm for A (K, M) with row stride lda: the weight gradients' products. */
static void F(gemm_tn)(Py_ssize_t M, Py_ssize_t N, Py_ssize_t K, const R *A, Py_ssize_t lda,
                       const R *Bm, Py_ssize_t ldb, R *C, Py_ssize_t ldc)
{
    F(tiled)(4, 4, M, N, K, A, 1, lda, Bm, ldb, C, ldc, C, ldc);
}

typedef struct {
    Py_ssize_t B, T, u;
    Py_ssize_t gate_slots, cell_slots, state_slots;  /* time slots kept (see slot) */
    int reverse, activation, reset_after;
    const R *xp, *h0, *c0, *U, *UT, *bias, *m, *dH, *dh_last, *dc_last;
    const R *x, *W, *x_bias;  /* without xp: the raw inputs (T, B, F) and their weights */
    const R *WU, *VT;         /* LSTM, SimpleRNN: [W; U] (F + u, G u), [U^T | W^T] */
    R *dx, *dweights;         /* backward: dx (T, B, F) and per-chunk sums (see below) */
    Py_ssize_t F;
    const unsigned char *M;
    R *A, *C, *TC, *H, *Q, *dXp, *dQ, *dh0, *dc0;
    int failed;  /* a worker could not allocate its scratch */
} F(Job);

HOT Py_ssize_t F(position)(const F(Job) *j, Py_ssize_t s) { return j->reverse ? j->T - 1 - s : s; }

/* Where position p of a buffer with `slots` time slots lives: step p itself when the
 * buffer keeps every step (slots = T), else a ring of slots (inference keeps the gates
 * of one step and the states of two). */
HOT Py_ssize_t F(slot)(const F(Job) *j, Py_ssize_t slots, Py_ssize_t p, Py_ssize_t row)
{
    return (p % slots) * j->B + row;
}

HOT int F(real)(const F(Job) *j, Py_ssize_t row, Py_ssize_t p)
{
    return j->M == NULL || j->M[p * j->B + row];
}

/* Rows r0.. of h_{t-1}: the initial state, or h at the previous position. With
 * recurrent dropout, h_in = h_{t-1} * m is written to `scratch` and returned instead. */
static const R *F(h_in)(const F(Job) *j, Py_ssize_t r0, Py_ssize_t n, const R *h_prev,
                        Py_ssize_t ld_prev, R *scratch, Py_ssize_t *ld)
{
    Py_ssize_t u = j->u;
    if (j->m == NULL) {
        *ld = ld_prev;
        return h_prev;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        EACH(k, u)
            scratch[i * u + k] = h_prev[i * ld_prev + k] * j->m[(r0 + i) * u + k];
    *ld = u;
    return scratch;
}

/* Row r0 of a (T, B, width) buffer at position p, or of the (B, width) initial state
 * when p < 0; *ld gets the row stride. */
HOT const R *F(at)(const F(Job) *j, const R *buffer, Py_ssize_t slots, const R *initial,
                   Py_ssize_t width, Py_ssize_t r0, Py_ssize_t p, Py_ssize_t *ld)
{
    *ld = width;
    return p < 0 ? initial + r0 * width : buffer + F(slot)(j, slots, p, r0) * width;
}

/* The input part of every gate for rows r0.. at position p, xp's rows (row stride
 * width) if it was given, else computed into `scratch` (n, width) as
 * x_bias + x_p @ W: the inputs projected inside the loop, never stored (inference). */
static const R *F(projected)(const F(Job) *j, Py_ssize_t r0, Py_ssize_t n, Py_ssize_t p,
                             Py_ssize_t width, R *scratch)
{
    if (j->xp)
        return j->xp + (p * j->B + r0) * width;
    F(gemm)(n, width, j->F, j->x + (p * j->B + r0) * j->F, j->F, j->W, width, j->x_bias, 0,
            scratch, width);
    return scratch;
}

HOT Py_ssize_t F(previous)(const F(Job) *j, Py_ssize_t s) { return s ? F(position)(j, s - 1) : -1; }

/* The backward loops run after a forward pass that kept every step (slots = T), so
 * they index position p directly. dH (the gradient of every step's h) may be absent
 * when only the final state was used: then dh starts from dh_last and nothing is added. */

HOT void F(start_from)(R *d, const R *d_last, Py_ssize_t r0, Py_ssize_t n, Py_ssize_t u)
{
    if (d_last)
        memcpy(d, d_last + r0 * u, sizeof(R) * n * u);
}

/* Rows r0.. of [x_p | h_in] side by side in `joined` (n, F + u): the left operand of
 * the one product [x_p | h_in] @ [W; U] that gives a step's gates, and of its weight
 * gradient. */
static const R *F(joined)(const F(Job) *j, Py_ssize_t r0, Py_ssize_t n, Py_ssize_t p,
                          const R *h_in, Py_ssize_t ldh, R *joined)
{
    Py_ssize_t Fw = j->F, u = j->u, width = Fw + u;
    const R *x_rows = j->x + (p * j->B + r0) * Fw;
    for (Py_ssize_t i = 0; i < n; i++) {
        memcpy(joined + i * width, x_rows + i * Fw, sizeof(R) * Fw);
        memcpy(joined + i * width + Fw, h_in + i * ldh, sizeof(R) * u);
    }
    return joined;
}

/* LSTM and SimpleRNN: a step's gate pre-activations for rows r0.. into `out` (n, G):
 * x_bias + [x_p | h_in] @ [W; U] from the raw inputs (WU given), else xp_p + h_in @ U. */
static void F(step_product)(const F(Job) *j, Py_ssize_t r0, Py_ssize_t n, Py_ssize_t p,
                            Py_ssize_t G, const R *h_in, Py_ssize_t lda, R *joined, R *out)
{
    Py_ssize_t u = j->u;
    if (j->WU) {
        const R *xh = F(joined)(j, r0, n, p, h_in, lda, joined);
        F(gemm)(n, G, j->F + u, xh, j->F + u, j->WU, G, j->x_bias, 0, out, G);
    } else {
        F(gemm)(n, G, u, h_in, lda, j->U, G, j->xp + (p * j->B + r0) * G, G, out, G);
    }
}

/* One step of the LSTM and SimpleRNN backward, whose input and recurrent matmuls see the
 * same dz (n rows of width G): dx_p = dz @ W^T, and into this chunk's sums (F + u + 1, G),
 * [dW; dU] += [x_p | h_in]^T dz, db += sum dz. Summing the chunks' blocks afterwards
 * (in a fixed order) gives the weight gradients without storing dz for every step. Used
 * when the sums are small enough to stay in cache (dweights given); else the loop stores
 * every step's dz in dXp and compiled.py takes the products after the loop. Returns
 * `back` (n, u + F) = [dz @ U^T | dz @ W^T]: dh_in's product, then dx. */
static const R *F(input_and_weight_gradients)(F(Job) *j, int chunk, Py_ssize_t r0,
                                                Py_ssize_t n, Py_ssize_t p, Py_ssize_t G,
                                                const R *dz, const R *h_in, Py_ssize_t ldh,
                                                R *joined, R *back)
{
    Py_ssize_t Fw = j->F, u = j->u, width = Fw + u;
    R *sums = j->dweights + chunk * (width + 1) * G;
    F(gemm_tn)(width, G, n, F(joined)(j, r0, n, p, h_in, ldh, joined), width, dz, G, sums, G);
    R *db = sums + width * G;
    for (Py_ssize_t i = 0; i < n; i++)
        EACH(k, G)
            db[k] += dz[i * G + k];
    /* [dh_in | dx] = dz @ [U^T | W^T] in one product; dx goes to its place */
    F(gemm)(n, width, G, dz, G, j->VT, width, NULL, 0, back, width);
    if (j->dx)
        for (Py_ssize_t i = 0; i < n; i++)
            memcpy(j->dx + (p * j->B + r0 + i) * Fw, back + i * width + u, sizeof(R) * Fw);
    return back;
}

/* The end of an LSTM or SimpleRNN backward step, from its dz (n, G): dh_{t-1} =
 * (dz @ U^T) * m for the real rows (masked rows keep dh), and, with `fused`, dx and the
 * weight sums of input_and_weight_gradients, whose one product also gives dz @ U^T. */
static void F(back_through_step)(F(Job) *j, int chunk, Py_ssize_t r0, Py_ssize_t n,
                                 Py_ssize_t p, Py_ssize_t G, const R *dz_rows,
                                 const R *h_prev, Py_ssize_t ldh, int fused, R *scratch,
                                 R *joined, R *product, R *dh)
{
    Py_ssize_t u = j->u, ld_back = u, lda;
    const R *back = product;  /* dz @ U^T, row stride ld_back */
    if (fused) {
        const R *h_in = F(h_in)(j, r0, n, h_prev, ldh, scratch, &lda);
        back = F(input_and_weight_gradients)(j, chunk, r0, n, p, G, dz_rows, h_in, lda,
                                             joined, product);
        ld_back = j->F + u;
    } else {
        F(gemm)(n, u, G, dz_rows, G, j->UT, u, NULL, 0, product, u);
    }
    for (Py_ssize_t i = 0; i < n; i++)
        if (F(real)(j, r0 + i, p))
            EACH(k, u)
                dh[i * u + k] = j->m ? back[i * ld_back + k] * j->m[(r0 + i) * u + k]
                                     : back[i * ld_back + k];
}

static void F(lstm_forward)(void *arg, int chunk, Py_ssize_t r0, Py_ssize_t r1)
{
    F(Job) *j = arg;
    (void)chunk;
    Py_ssize_t T = j->T, u = j->u, G = 4 * u, n = r1 - r0;
    R *scratch = j->m ? malloc(sizeof(R) * n * u) : NULL;
    R *joined = j->WU ? malloc(sizeof(R) * n * (j->F + u)) : NULL;
    if ((j->m && !scratch) || (j->WU && !joined)) {
        j->failed = 1; free(scratch); free(joined); return;
    }
    for (Py_ssize_t s = 0; s < T; s++) {
        Py_ssize_t p = F(position)(j, s), pp = F(previous)(j, s), ldh, ldc, lda;
        const R *h_prev = F(at)(j, j->H, j->state_slots, j->h0, u, r0, pp, &ldh);
        const R *c_prev = F(at)(j, j->C, j->cell_slots, j->c0, u, r0, pp, &ldc);
        const R *h_in = F(h_in)(j, r0, n, h_prev, ldh, scratch, &lda);
        R *z = j->A + F(slot)(j, j->gate_slots, p, r0) * G;
        F(step_product)(j, r0, n, p, G, h_in, lda, joined, z);
        R *c_rows = j->C + F(slot)(j, j->cell_slots, p, r0) * u;
        R *tc_rows = j->TC + F(slot)(j, j->gate_slots, p, r0) * u;
        R *h_rows = j->H + F(slot)(j, j->state_slots, p, r0) * u;
        for (Py_ssize_t i = 0; i < n; i++) {
            R *a = z + i * G, *c = c_rows + i * u, *tc = tc_rows + i * u, *h = h_rows + i * u;
            const R *cp = c_prev + i * ldc, *hp = h_prev + i * ldh;
            SIGMOID(a, a, 2 * u);
            TANH(a + 2 * u, a + 2 * u, u);
            SIGMOID(a + 3 * u, a + 3 * u, u);
            if (F(real)(j, r0 + i, p)) {
                EACH(k, u)
                    c[k] = a[u + k] * cp[k] + a[k] * a[2 * u + k];
                TANH(tc, c, u);
                EACH(k, u)
                    h[k] = a[3 * u + k] * tc[k];
            } else {
                memcpy(c, cp, sizeof(R) * u);
                memcpy(h, hp, sizeof(R) * u);
                TANH(tc, c, u);
            }
        }
    }
    free(scratch); free(joined);
}

/* dc += dh o tanh'(c); dz = [dc g s'(i), dc c_prev s'(f), dc i tanh'(g), dh tanh(c) s'(o)];
 * dh_prev = (dz @ U^T) * m; dc_prev = dc f. */
static void F(lstm_backward)(void *arg, int chunk, Py_ssize_t r0, Py_ssize_t r1)
{
    F(Job) *j = arg;
    Py_ssize_t T = j->T, u = j->u, G = 4 * u, n = r1 - r0;
    R *dh = calloc(n * u, sizeof(R)), *dc = calloc(n * u, sizeof(R));
    R *product = malloc(sizeof(R) * n * (j->F + u)), *scratch = malloc(sizeof(R) * n * u);
    R *dz_step = j->dweights ? malloc(sizeof(R) * n * G) : NULL;
    R *joined = j->dweights ? malloc(sizeof(R) * n * (j->F + u)) : NULL;
    if (!dh || !dc || !product || !scratch || (j->dweights && (!dz_step || !joined))) {
        j->failed = 1; free(dh); free(dc); free(product); free(dz_step); free(scratch);
        free(joined); return;
    }
    F(start_from)(dh, j->dh_last, r0, n, u);
    F(start_from)(dc, j->dc_last, r0, n, u);
    for (Py_ssize_t s = T - 1; s >= 0; s--) {
        Py_ssize_t p = F(position)(j, s), pp = F(previous)(j, s), ldc, ldh;
        const R *c_prev = F(at)(j, j->C, j->cell_slots, j->c0, u, r0, pp, &ldc);
        const R *h_prev = F(at)(j, j->H, j->state_slots, j->h0, u, r0, pp, &ldh);
        R *dz_rows = dz_step ? dz_step : j->dXp + (p * j->B + r0) * G;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t at = p * j->B + r0 + i;
            R *dhi = dh + i * u, *dci = dc + i * u, *dz = dz_rows + i * G;
            if (j->dH) {
                const R *dH = j->dH + at * u;
                EACH(k, u)
                    dhi[k] += dH[k];
            }
            if (!F(real)(j, r0 + i, p)) {
                memset(dz, 0, sizeof(R) * G);
                continue;
            }
            const R *a = j->A + at * G, *tc = j->TC + at * u, *cp = c_prev + i * ldc;
            EACH(k, u) {
                R ig = a[k], fg = a[u + k], gg = a[2 * u + k], og = a[3 * u + k];
                R dct = dci[k] + dhi[k] * og * (1 - tc[k] * tc[k]);
                dz[k] = dct * gg * ig * (1 - ig);
                dz[u + k] = dct * cp[k] * fg * (1 - fg);
                dz[2 * u + k] = dct * ig * (1 - gg * gg);
                dz[3 * u + k] = dhi[k] * tc[k] * og * (1 - og);
                dci[k] = dct * fg;
            }
        }
        F(back_through_step)(j, chunk, r0, n, p, G, dz_rows, h_prev, ldh, dz_step != NULL,
                             scratch, joined, product, dh);
    }
    memcpy(j->dh0 + r0 * u, dh, sizeof(R) * n * u);
    memcpy(j->dc0 + r0 * u, dc, sizeof(R) * n * u);
    free(dh); free(dc); free(product); free(dz_step); free(scratch); free(joined);
}

/* ---- GRU: gates z, r, h; A keeps z, r and the candidate n. ----
 * reset_after: q = h_in @ U + b, n = tanh(xp_h + r q_h), Q keeps q_h.
 * reset before: q = h_in @ U[:, :2u], n = tanh(xp_h + (r h_in) @ U[:, 2u:]).
 * Both: z, r = s(xp + q), h = z h_prev + (1 - z) n. */

static void F(gru_forward)(void *arg, int chunk, Py_ssize_t r0, Py_ssize_t r1)
{
    F(Job) *j = arg;
    (void)chunk;
    Py_ssize_t T = j->T, u = j->u, G = 3 * u, n = r1 - r0;
    R *scratch = malloc(sizeof(R) * n * u), *q = malloc(sizeof(R) * n * G);
    R *rh = malloc(sizeof(R) * n * u), *x_scratch = j->xp ? NULL : malloc(sizeof(R) * n * G);
    if (!scratch || !q || !rh || (!j->xp && !x_scratch)) {
        j->failed = 1; free(scratch); free(q); free(rh); free(x_scratch); return;
    }
    for (Py_ssize_t s = 0; s < T; s++) {
        Py_ssize_t p = F(position)(j, s), ldh, lda;
        const R *h_prev = F(at)(j, j->H, j->state_slots, j->h0, u, r0, F(previous)(j, s), &ldh);
        const R *h_in = F(h_in)(j, r0, n, h_prev, ldh, scratch, &lda);
        const R *x_rows = F(projected)(j, r0, n, p, G, x_scratch);
        R *a_rows = j->A + F(slot)(j, j->gate_slots, p, r0) * G;
        R *h_rows = j->H + F(slot)(j, j->state_slots, p, r0) * u;
        R *q_rows = j->Q ? j->Q + F(slot)(j, j->gate_slots, p, r0) * u : NULL;
        if (j->reset_after)
            F(gemm)(n, G, u, h_in, lda, j->U, G, j->bias, 0, q, G);
        else
            F(gemm)(n, 2 * u, u, h_in, lda, j->U, G, NULL, 0, q, G);
        for (Py_ssize_t i = 0; i < n; i++) {
            const R *x = x_rows + i * G, *qi = q + i * G;
            R *a = a_rows + i * G;
            EACH(k, 2 * u)
                a[k] = x[k] + qi[k];
            SIGMOID(a, a, 2 * u);
            if (j->reset_after) {
                R *qh = q_rows + i * u;
                EACH(k, u) {
                    qh[k] = qi[2 * u + k];
                    a[2 * u + k] = x[2 * u + k] + a[u + k] * qi[2 * u + k];
                }
            } else {
                EACH(k, u)
                    rh[i * u + k] = a[u + k] * h_in[i * lda + k];
            }
        }
        if (!j->reset_after)  /* the candidate's pre-activation, written into A's n block */
            F(gemm)(n, u, u, rh, u, j->U + 2 * u, G, x_rows + 2 * u, G, a_rows + 2 * u, G);
        for (Py_ssize_t i = 0; i < n; i++) {
            R *a = a_rows + i * G, *h = h_rows + i * u;
            const R *hp = h_prev + i * ldh;
            TANH(a + 2 * u, a + 2 * u, u);
            if (F(real)(j, r0 + i, p))
                EACH(k, u)
                    h[k] = a[2 * u + k] + a[k] * (hp[k] - a[2 * u + k]);
            else
                memcpy(h, hp, sizeof(R) * u);
        }
    }
    free(scratch); free(q); free(rh); free(x_scratch);
}

/* dn = dh (1 - z) tanh'(n), dz = dh (h_prev - n) s'(z); dXp = [dz, dr, dn]. reset_after:
 * dr = dn q_h s'(r), dQ = [dz, dr, dn r], dh_prev = dh z + (dQ @ U^T) m. Reset before:
 * d(r h_in) = dn @ U_h^T, dr = d(r h_in) h_in s'(r),
 * dh_prev = dh z + (d(r h_in) r + [dz, dr] @ U_zr^T) m. */
static void F(gru_backward)(void *arg, int chunk, Py_ssize_t r0, Py_ssize_t r1)
{
    F(Job) *j = arg;
    (void)chunk;
    Py_ssize_t T = j->T, u = j->u, G = 3 * u, n = r1 - r0;
    R *dh = calloc(n * u, sizeof(R)), *product = malloc(sizeof(R) * n * u);
    R *d_rh = malloc(sizeof(R) * n * u), *scratch = malloc(sizeof(R) * n * u);
    if (!dh || !product || !d_rh || !scratch) {
        j->failed = 1; free(dh); free(product); free(d_rh); free(scratch); return;
    }
    F(start_from)(dh, j->dh_last, r0, n, u);
    for (Py_ssize_t s = T - 1; s >= 0; s--) {
        Py_ssize_t p = F(position)(j, s), ldh, lda;
        const R *h_prev = F(at)(j, j->H, j->state_slots, j->h0, u, r0, F(previous)(j, s), &ldh);
        R *dx_rows = j->dXp + (p * j->B + r0) * G;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t at = p * j->B + r0 + i;
            R *dhi = dh + i * u, *dx = dx_rows + i * G;
            if (j->dH) {
                const R *dH = j->dH + at * u;
                EACH(k, u)
                    dhi[k] += dH[k];
            }
            R *dq = j->reset_after ? j->dQ + at * G : NULL;
            if (!F(real)(j, r0 + i, p)) {
                memset(dx, 0, sizeof(R) * G);
                if (dq)
                    memset(dq, 0, sizeof(R) * G);
                continue;
            }
            const R *a = j->A + at * G, *hp = h_prev + i * ldh;
            EACH(k, u) {
                R z = a[k], nn = a[2 * u + k];
                dx[2 * u + k] = dhi[k] * (1 - z) * (1 - nn * nn);
                dx[k] = dhi[k] * (hp[k] - nn) * z * (1 - z);
            }
            if (dq) {
                const R *qh = j->Q + at * u;
                EACH(k, u) {
                    R r = a[u + k];
                    dx[u + k] = dx[2 * u + k] * qh[k] * r * (1 - r);
                    dq[k] = dx[k];
                    dq[u + k] = dx[u + k];
                    dq[2 * u + k] = dx[2 * u + k] * r;
                }
            }
        }
        if (j->reset_after) {
            F(gemm)(n, u, G, j->dQ + (p * j->B + r0) * G, G, j->UT, u, NULL, 0, product, u);
        } else {
            const R *h_in = F(h_in)(j, r0, n, h_prev, ldh, scratch, &lda);
            F(gemm)(n, u, u, dx_rows + 2 * u, G, j->UT + 2 * u * u, u, NULL, 0, d_rh, u);
            for (Py_ssize_t i = 0; i < n; i++) {
                const R *a = j->A + (p * j->B + r0 + i) * G;
                R *dx = dx_rows + i * G;
                int real = F(real)(j, r0 + i, p);
                EACH(k, u) {
                    R r = a[u + k];
                    dx[u + k] = real ? d_rh[i * u + k] * h_in[i * lda + k] * r * (1 - r) : 0;
                    d_rh[i * u + k] *= r;
                }
            }
            F(gemm)(n, u, 2 * u, dx_rows, G, j->UT, u, d_rh, u, product, u);
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            if (!F(real)(j, r0 + i, p))
                continue;
            const R *a = j->A + (p * j->B + r0 + i) * G;
            EACH(k, u) {
                R back = j->m ? product[i * u + k] * j->m[(r0 + i) * u + k] : product[i * u + k];
                dh[i * u + k] = dh[i * u + k] * a[k] + back;
            }
        }
    }
    memcpy(j->dh0 + r0 * u, dh, sizeof(R) * n * u);
    free(dh); free(product); free(d_rh); free(scratch);
}

/* ---- SimpleRNN: h = a(xp + h_in @ U), a = tanh (0), relu (1) or sigmoid (2). ---- */

static void F(rnn_forward)(void *arg, int chunk, Py_ssize_t r0, Py_ssize_t r1)
{
    F(Job) *j = arg;
    (void)chunk;
    Py_ssize_t T = j->T, u = j->u, n = r1 - r0;
    R *scratch = j->m ? malloc(sizeof(R) * n * u) : NULL;
    R *joined = j->WU ? malloc(sizeof(R) * n * (j->F + u)) : NULL;
    if ((j->m && !scratch) || (j->WU && !joined)) {
        j->failed = 1; free(scratch); free(joined); return;
    }
    for (Py_ssize_t s = 0; s < T; s++) {
        Py_ssize_t p = F(position)(j, s), ldh, lda;
        const R *h_prev = F(at)(j, j->H, j->state_slots, j->h0, u, r0, F(previous)(j, s), &ldh);
        const R *h_in = F(h_in)(j, r0, n, h_prev, ldh, scratch, &lda);
        R *h_rows = j->H + F(slot)(j, j->state_slots, p, r0) * u;
        F(step_product)(j, r0, n, p, u, h_in, lda, joined, h_rows);
        for (Py_ssize_t i = 0; i < n; i++) {
            R *h = h_rows + i * u;
            if (!F(real)(j, r0 + i, p)) {
                memcpy(h, h_prev + i * ldh, sizeof(R) * u);
            } else if (j->activation == 0) {
                TANH(h, h, u);
            } else if (j->activation == 1) {
                EACH(k, u)
                    h[k] = h[k] > 0 ? h[k] : 0;
            } else {
                SIGMOID(h, h, u);
            }
        }
    }
    free(scratch); free(joined);
}

/* dz = dh a'(h) (a' written with the output: 1 - h^2, [h > 0], h (1 - h));
 * dh_prev = (dz @ U^T) * m. */
static void F(rnn_backward)(void *arg, int chunk, Py_ssize_t r0, Py_ssize_t r1)
{
    F(Job) *j = arg;
    Py_ssize_t T = j->T, u = j->u, n = r1 - r0;
    R *dh = calloc(n * u, sizeof(R)), *product = malloc(sizeof(R) * n * (j->F + u));
    R *scratch = malloc(sizeof(R) * n * u);
    R *dz_step = j->dweights ? malloc(sizeof(R) * n * u) : NULL;
    R *joined = j->dweights ? malloc(sizeof(R) * n * (j->F + u)) : NULL;
    if (!dh || !product || !scratch || (j->dweights && (!dz_step || !joined))) {
        j->failed = 1; free(dh); free(product); free(dz_step); free(scratch); free(joined);
        return;
    }
    F(start_from)(dh, j->dh_last, r0, n, u);
    for (Py_ssize_t s = T - 1; s >= 0; s--) {
        Py_ssize_t p = F(position)(j, s), ldh;
        const R *h_prev = F(at)(j, j->H, j->state_slots, j->h0, u, r0, F(previous)(j, s), &ldh);
        R *dz_rows = dz_step ? dz_step : j->dXp + (p * j->B + r0) * u;
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_ssize_t at = p * j->B + r0 + i;
            R *dhi = dh + i * u, *dz = dz_rows + i * u;
            const R *h = j->H + at * u;
            if (j->dH) {
                const R *dH = j->dH + at * u;
                EACH(k, u)
                    dhi[k] += dH[k];
            }
            if (!F(real)(j, r0 + i, p))
                memset(dz, 0, sizeof(R) * u);
            else if (j->activation == 0)
                EACH(k, u) dz[k] = dhi[k] * (1 - h[k] * h[k]);
            else if (j->activation == 1)
                EACH(k, u) dz[k] = h[k] > 0 ? dhi[k] : 0;
            else
                EACH(k, u) dz[k] = dhi[k] * h[k] * (1 - h[k]);
        }
        F(back_through_step)(j, chunk, r0, n, p, u, dz_rows, h_prev, ldh, dz_step != NULL,
                             scratch, joined, product, dh);
    }
    memcpy(j->dh0 + r0 * u, dh, sizeof(R) * n * u);
    free(dh); free(product); free(dz_step); free(scratch); free(joined);
}

#undef F
#undef EACH
#undef CAT
#undef CAT_
