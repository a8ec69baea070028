// The live module's one C need: a semaphore wait timed on CLOCK_MONOTONIC (sem_clockwait is
// a GNU extension, which Swift's Glibc module does not show). A wall-clock timeout would
// stall a worker thread for as long as the clock is set back.
#ifndef CLIVESHIM_H
#define CLIVESHIM_H

/// Takes the `sem_t` at `semaphore`, waiting at most `nanoseconds` of CLOCK_MONOTONIC: 0 when
/// taken, else the errno (ETIMEDOUT, EINTR).
int streamconv_semaphore_wait(void *semaphore, long long nanoseconds);
#endif
