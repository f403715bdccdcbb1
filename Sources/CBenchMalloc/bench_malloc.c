// Benchmark-only malloc interposer (pumpbench): forwards to glibc's __libc_* entry points and
// counts calls while bench_malloc_start() .. bench_malloc_stop() is open. One relaxed load and
// a branch per call otherwise. Linux/glibc only; elsewhere the counter stays 0.
#include "bench_malloc.h"
#include <errno.h>  // features.h: defines __GLIBC__
#include <stddef.h>
#if defined(__linux__) && defined(__GLIBC__)

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static int counting;
static unsigned long calls;

static inline void count(void) {
  if (__atomic_load_n(&counting, __ATOMIC_RELAXED)) __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t n) { count(); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { count(); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { count(); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
  count();
  void *p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}
void free(void *p) { __libc_free(p); }

void bench_malloc_start(void) {
  __atomic_store_n(&calls, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&counting, 1, __ATOMIC_SEQ_CST);
}
unsigned long bench_malloc_stop(void) {
  __atomic_store_n(&counting, 0, __ATOMIC_SEQ_CST);
  return __atomic_load_n(&calls, __ATOMIC_RELAXED);
}
#else
void bench_malloc_start(void) {}
unsigned long bench_malloc_stop(void) { return 0; }
#endif
