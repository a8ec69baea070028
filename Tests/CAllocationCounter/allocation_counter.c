// Counts heap allocations of one thread, for tests that prove a code path allocates nothing.
//
// Linked into the test executable, these definitions of malloc, calloc and realloc take
// precedence over libc's for every library in the process (ELF symbol interposition); they
// forward to glibc's own __libc_* entry points. Counting is per thread, so tests running in
// parallel on other threads do not disturb a measurement.
#include "allocation_counter.h"
#include <stddef.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STREAMCONV_NO_INTERPOSE 1
#endif
#endif

static __thread int counting;
static __thread uint64_t count;

#if !defined(STREAMCONV_NO_INTERPOSE)
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);


void *malloc(size_t size) {
    if (counting) count++;
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size) {
    if (counting) count++;
    return __libc_calloc(n, size);
}

void *realloc(void *pointer, size_t size) {
    if (counting) count++;
    return __libc_realloc(pointer, size);
}

// The aligned entry points too: the Swift runtime allocates objects and buffers aligned to
// more than 16 bytes (SIMD types) through them, and those are allocations as well.
extern void *__libc_memalign(size_t alignment, size_t size);

void *memalign(size_t alignment, size_t size) {
    if (counting) count++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (counting) count++;
    return __libc_memalign(alignment, size);
}

extern void __libc_free(void *pointer);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

void free(void *pointer) { __libc_free(pointer); }

void *valloc(size_t size) {
    if (counting) count++;
    return __libc_valloc(size);
}

void *pvalloc(size_t size) {
    if (counting) count++;
    return __libc_pvalloc(size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return 22;  // EINVAL
    if (counting) count++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL && size != 0) return 12;  // ENOMEM
    *result = pointer;
    return 0;
}

#endif  // Under AddressSanitizer, which owns malloc, nothing is interposed or counted.

void allocation_counter_start(void) {
    count = 0;
    counting = 1;
}

uint64_t allocation_counter_stop(void) {
    counting = 0;
    return count;
}
