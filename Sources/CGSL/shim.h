#ifndef DEEPEST_CGSL_SHIM_H
#define DEEPEST_CGSL_SHIM_H
/* Inline accessors (gsl_vector_get and friends) without range checks: the out-of-line versions are
   about 6x slower. Both macros must precede every GSL header. */
#define HAVE_INLINE 1
#define GSL_RANGE_CHECK_OFF 1

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_vector.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_multiroots.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_sf_exp.h>
#include <gsl/gsl_statistics_double.h>

/* Provided by libopenblas; declared here because OpenBLAS's cblas.h clashes with gsl_cblas.h. */
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

/* tanh over an array with glibc's vector math library (libmvec, glibc >= 2.35): the AVX2 variant
   (4 lanes) when the processor has AVX2, else the SSE2 variant (2 lanes). Each lane is a pure function
   of its input (the tail is padded, never computed differently), accurate to a few ulp. Elsewhere,
   the scalar tanh. */
#include <math.h>
#if defined(__x86_64__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#include <immintrin.h>
__m128d _ZGVbN2v_tanh(__m128d x);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_tanh(__m256d x);

__attribute__((target("avx2"))) static inline void deepest_tanh_avx2(double *x, long n) {
    long i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(x + i, _ZGVdN4v_tanh(_mm256_loadu_pd(x + i)));
    if (i < n) {
        double tail[4] = {0, 0, 0, 0};
        for (long j = i; j < n; j++) tail[j - i] = x[j];
        _mm256_storeu_pd(tail, _ZGVdN4v_tanh(_mm256_loadu_pd(tail)));
        for (long j = i; j < n; j++) x[j] = tail[j - i];
    }
}

static inline void deepest_tanh_sse2(double *x, long n) {
    long i = 0;
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(x + i, _ZGVbN2v_tanh(_mm_loadu_pd(x + i)));
    if (i < n) {
        double tail[2] = {x[i], 0};
        _mm_storeu_pd(tail, _ZGVbN2v_tanh(_mm_loadu_pd(tail)));
        x[i] = tail[0];
    }
}

static inline void deepest_vector_tanh(double *x, long n) {
    if (__builtin_cpu_supports("avx2")) deepest_tanh_avx2(x, n); else deepest_tanh_sse2(x, n);
}
#else
static inline void deepest_vector_tanh(double *x, long n) {
    for (long i = 0; i < n; i++) x[i] = tanh(x[i]);
}
#endif

/* LAPACK's Cholesky factorisation and symmetric eigen-decomposition, from OpenBLAS (column-major, Fortran calling convention). */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
             const int *lwork, int *iwork, const int *liwork, int *info);
/* LAPACK's eigenvalues of a general real matrix (Hessenberg QR), from OpenBLAS. */
void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda, double *wr, double *wi,
            double *vl, const int *ldvl, double *vr, const int *ldvr, double *work, const int *lwork, int *info);

/* Thread placement for NumericCore's WorkerPool. glibc declares these only under _GNU_SOURCE, which
   must not be defined after other headers; the prototypes below are glibc's ABI (the affinity mask is
   an array of unsigned long bits, 1024 processors). */
extern int sched_getcpu(void);
extern int sched_getaffinity(int pid, unsigned long size, void *mask);
extern int sched_setaffinity(int pid, unsigned long size, const void *mask);

/* The processor the calling thread runs on, or -1. */
static inline int deepest_current_processor(void) { return sched_getcpu(); }

/* Binds the calling thread to the allowed processor that comes `offset` places after `processor`
   (cyclically, in the allowed set); returns it, or -1 when fewer than two processors are allowed or
   a call fails (the thread then stays unbound). */
static inline int deepest_bind_after(int processor, int offset) {
    unsigned long allowed[16] = {0};
    if (sched_getaffinity(0, sizeof(allowed), allowed) != 0) return -1;
    int list[1024], count = 0, start = 0;
    for (int cpu = 0; cpu < 1024; cpu++) {
        if ((allowed[cpu / 64] >> (cpu % 64)) & 1UL) {
            if (cpu <= processor) start = count;
            list[count++] = cpu;
        }
    }
    if (count < 2) return -1;
    int chosen = list[(start + offset) % count];
    unsigned long only[16] = {0};
    only[chosen / 64] = 1UL << (chosen % 64);
    return sched_setaffinity(0, sizeof(only), only) == 0 ? chosen : -1;
}

#endif
