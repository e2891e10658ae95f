// Open MPI for the deepest-mpi tool (Sources/MPIProcessGroup). MPI_COMM_WORLD and the datatypes are
// macros over Open MPI's globals, which Swift does not import: the few calls the package makes are
// wrapped here. Every call returns the MPI error code (MPI_SUCCESS = 0); errors on MPI_COMM_WORLD are
// returned, not fatal (cmpi_init sets MPI_ERRORS_RETURN).
#ifndef DEEPEST_CMPI_SHIM_H
#define DEEPEST_CMPI_SHIM_H
#include <mpi.h>
#include <stdint.h>

static inline int cmpi_init(void) {
    int provided = 0;
    int code = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (code != MPI_SUCCESS) return code;
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

static inline int cmpi_initialized(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag;
}

static inline int cmpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
static inline int cmpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

static inline int cmpi_allgather_int64(const int64_t *send, int64_t *receive) {
    return MPI_Allgather(send, 1, MPI_INT64_T, receive, 1, MPI_INT64_T, MPI_COMM_WORLD);
}

static inline int cmpi_allgatherv_bytes(const void *send, int count, void *receive, const int *counts, const int *displacements) {
    return MPI_Allgatherv(send, count, MPI_BYTE, receive, counts, displacements, MPI_BYTE, MPI_COMM_WORLD);
}

static inline int cmpi_finalize(void) { return MPI_Finalize(); }

/// The text of an MPI error code into `text` (at least MPI_MAX_ERROR_STRING bytes).
static inline void cmpi_error_string(int code, char *text) {
    int length = 0;
    text[0] = 0;
    if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) length = 0;
    text[length] = 0;
}

static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
#endif
