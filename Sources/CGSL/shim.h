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

#endif
