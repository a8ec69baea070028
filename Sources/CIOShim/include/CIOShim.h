// The I/O module's one C need besides libsndfile: tee(2), which copies a pipe's pending bytes
// without consuming them (a GNU extension, which Swift's Glibc module does not show). It lets
// `--in -` look at a stream's first bytes and still hand libsndfile the whole pipe.
#ifndef CIOSHIM_H
#define CIOSHIM_H
#include <stddef.h>

/// Copies up to `count` bytes pending in pipe `input` into pipe `output` without consuming
/// them: the count copied (0 when `input` is at its end), or -1 with errno set.
long streamconv_tee(int input, int output, size_t count);
#endif
