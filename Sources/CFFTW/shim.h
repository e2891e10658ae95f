#ifndef DEEPEST_CFFTW_SHIM_H
#define DEEPEST_CFFTW_SHIM_H
/* fftw3.h must come before any <complex.h>: with complex.h first, fftw_complex becomes the C99
   `double _Complex`, which Swift does not import. As the first include it is double[2]. */
#include <fftw3.h>
#endif
