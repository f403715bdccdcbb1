// Allocation counting for pumpbench only (never linked into a product): the process's malloc
// family is interposed and counted while counting is on. docs/benchmarks.md, "allocations".
#ifndef BENCH_MALLOC_H
#define BENCH_MALLOC_H
/// Starts counting from zero.
void bench_malloc_start(void);
/// Stops counting; returns the malloc, calloc, realloc and aligned allocations since the start.
unsigned long bench_malloc_stop(void);
#endif
