#ifndef STREAMCONV_CALSA_SHIM_H
#define STREAMCONV_CALSA_SHIM_H
#include <alsa/asoundlib.h>

/* ALSA prints its own diagnostics to stderr ("ALSA lib pcm.c:…"); streamconv reports every
   error itself in one line, so the library's printing is turned off. The handler is
   variadic, which Swift cannot define, hence this shim. */
static void streamconv_alsa_silent_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static inline void streamconv_alsa_silence_library_errors(void) {
    snd_lib_error_set_handler(streamconv_alsa_silent_handler);
}
#endif
