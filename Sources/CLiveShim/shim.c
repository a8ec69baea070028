#define _GNU_SOURCE
#include <errno.h>
#include <semaphore.h>
#include <time.h>
#include "CLiveShim.h"

int streamconv_semaphore_wait(void *semaphore, long long nanoseconds) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    long long total = (long long)deadline.tv_nsec + nanoseconds;
    deadline.tv_sec += (time_t)(total / 1000000000LL);
    deadline.tv_nsec = (long)(total % 1000000000LL);
    return sem_clockwait((sem_t *)semaphore, CLOCK_MONOTONIC, &deadline) == 0 ? 0 : errno;
}
