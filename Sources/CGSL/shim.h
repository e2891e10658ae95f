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

#endif
