#ifndef STREAMCONV_CALSA_SHIM_H
#define STREAMCONV_CALSA_SHIM_H
#include <alsa/asoundlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ALSA prints its own diagnostics to stderr ("ALSA lib pcm.c:…(snd_pcm_open_noupdate)
   Unknown PCM bad"); streamconv reports every error itself in one line, so the library's
   printing is replaced by a handler that keeps the messages since the last clear, for the
   error line to quote (the reason an asoundrc is wrong is only in them). The handler is
   variadic, which Swift cannot define, hence this shim. The buffer is per including file
   (static): only PCM.swift installs, clears and reads it, on the thread that opens devices. */
#define STREAMCONV_ALSA_MESSAGES_SIZE 1024
/* A function-local static: Swift's importer emits functions, not file-scope variables. */
static inline char *streamconv_alsa_messages_buffer(void) {
    static char messages[STREAMCONV_ALSA_MESSAGES_SIZE];
    return messages;
}

static void streamconv_alsa_keeping_handler(const char *file, int line, const char *function, int err, const char *fmt, ...) {
    (void)file; (void)line; (void)function;
    char *streamconv_alsa_messages = streamconv_alsa_messages_buffer();
    size_t used = strlen(streamconv_alsa_messages);
    size_t room = STREAMCONV_ALSA_MESSAGES_SIZE - used;
    if (room < 4) return;
    if (used > 0) { memcpy(streamconv_alsa_messages + used, "; ", 3); used += 2; room -= 2; }
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(streamconv_alsa_messages + used, room, fmt, args);
    va_end(args);
    if (n < 0) { streamconv_alsa_messages[used] = 0; return; }
    used += (size_t)n < room ? (size_t)n : room - 1;
    room = STREAMCONV_ALSA_MESSAGES_SIZE - used;
    if (err != 0 && room > 4) snprintf(streamconv_alsa_messages + used, room, ": %s", snd_strerror(err));
}

/* Installs the handler and forgets earlier messages. */
static inline void streamconv_alsa_keep_library_errors(void) {
    streamconv_alsa_messages_buffer()[0] = 0;
    snd_lib_error_set_handler(streamconv_alsa_keeping_handler);
}

/* What ALSA said since the last streamconv_alsa_keep_library_errors ("" for nothing). */
static inline const char *streamconv_alsa_library_errors(void) {
    return streamconv_alsa_messages_buffer();
}
#endif
