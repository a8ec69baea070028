#ifndef STREAMCONV_ALLOCATION_COUNTER_H
#define STREAMCONV_ALLOCATION_COUNTER_H
#include <stdint.h>

/// Starts counting heap allocations made by the calling thread.
void allocation_counter_start(void);
/// Stops counting and returns how many malloc/calloc/realloc calls the thread made since start.
uint64_t allocation_counter_stop(void);

#endif
