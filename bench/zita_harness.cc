// scripts/bench's zita-convolver peer (built from Debian's libzita-convolver-dev when
// present; never linked by streamconv): a stereo signal through one impulse response per
// channel, offline, as fconvolver runs it (process(true) each quantum, so a level's threads
// finish within the cycle), from a float WAV to raw float output.
//
//   zita_harness IR.wav IN.wav OUT.raw QUANTUM [paced]
//
// The WAVs are the float32 files scripts/bench writes (mono IR, stereo input).
//
// `paced` runs it as a live client does (jconvolver's way): one quantum per quantum-duration on
// the monotonic clock, the processing thread at SCHED_FIFO 80 and zita's level threads below
// it, process(false) each cycle (a level not finished in time is a late cycle, its output
// skipped, as in a JACK client). It prints one JSON line: the per-cycle process time as a
// share of the cycle (median, 99th percentile, worst) and the late cycles, for
// scripts/paced-live's rows beside streamconv's.
#include <zita-convolver.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <vector>

static long long now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static std::vector<float> read_wav(const char *path, int *channels) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    std::vector<unsigned char> blob;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) blob.insert(blob.end(), buf, buf + n);
    fclose(f);
    size_t at = 12;
    std::vector<float> samples;
    *channels = 1;
    while (at + 8 <= blob.size()) {
        unsigned size;
        memcpy(&size, &blob[at + 4], 4);
        if (!memcmp(&blob[at], "fmt ", 4)) { unsigned short c; memcpy(&c, &blob[at + 10], 2); *channels = c; }
        if (!memcmp(&blob[at], "data", 4)) {
            size_t count = std::min<size_t>(size, blob.size() - at - 8) / 4;
            samples.resize(count);
            memcpy(samples.data(), &blob[at + 8], count * 4);
            return samples;
        }
        at += 8 + size + (size & 1);
    }
    fprintf(stderr, "%s: no data chunk\n", path);
    exit(1);
}

int main(int argc, char **argv) {
    if (argc != 5 && !(argc == 6 && !strcmp(argv[5], "paced"))) { fprintf(stderr, "usage: zita_harness IR.wav IN.wav OUT.raw QUANTUM [paced]\n"); return 2; }
    bool paced = argc == 6;
    int irChannels, channels;
    std::vector<float> ir = read_wav(argv[1], &irChannels);
    std::vector<float> in = read_wav(argv[2], &channels);
    unsigned quantum = atoi(argv[4]);
    size_t frames = in.size() / channels;
    Convproc conv;
    unsigned minpart = quantum < Convproc::MINPART ? Convproc::MINPART : quantum;
    if (conv.configure(channels, channels, ir.size(), quantum, minpart, Convproc::MAXPART, 0)) {
        fprintf(stderr, "configure failed\n");
        return 1;
    }
    for (int c = 0; c < channels; c++) conv.impdata_create(c, c, 1, ir.data(), 0, ir.size());
    if (paced) {
        sched_param param{};
        param.sched_priority = 80;
        if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) != 0) fprintf(stderr, "note: no SCHED_FIFO\n");
        conv.start_process(79, SCHED_FIFO);
    } else {
        conv.start_process(0, 0);
    }
    std::vector<long long> cycle;
    long long late = 0;
    long long start = now_ns();
    long long period = (long long)quantum * 1000000000LL / 48000;
    FILE *out = fopen(argv[3], "wb");
    if (!out) { perror(argv[3]); return 1; }
    std::vector<float> block(quantum * channels);
    // The input, then the tail (the response's length of zeros), as streamconv run gives it.
    size_t total = frames + ir.size() - 1;
    for (size_t at = 0; at < total; at += quantum) {
        for (int c = 0; c < channels; c++) {
            float *dst = conv.inpdata(c);
            for (unsigned j = 0; j < quantum; j++) {
                size_t i = at + j;
                dst[j] = i < frames ? in[i * channels + c] : 0.0f;
            }
        }
        if (paced) {
            long long due = start + (long long)(at / quantum + 1) * period;
            timespec ts{(time_t)(due / 1000000000LL), (long)(due % 1000000000LL)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
            long long t0 = now_ns();
            if (conv.process(false) & Convproc::FL_LATE) late++;
            cycle.push_back(now_ns() - t0);
        } else {
            conv.process(true);
        }
        for (int c = 0; c < channels; c++) {
            float *src = conv.outdata(c);
            for (unsigned j = 0; j < quantum; j++) block[j * channels + c] = src[j];
        }
        fwrite(block.data(), 4, block.size(), out);
    }
    fclose(out);
    if (paced) {
        std::vector<long long> sorted = cycle;
        std::sort(sorted.begin(), sorted.end());
        auto percent = [&](double q) {
            size_t rank = std::max<size_t>(1, (size_t)(q * sorted.size() + 0.999999));
            return 100.0 * sorted[rank - 1] / period;
        };
        printf("{\"cycles\": %zu, \"median_percent\": %.3f, \"p99_percent\": %.3f, \"worst_percent\": %.3f, \"late_cycles\": %lld}\n",
               sorted.size(), percent(0.5), percent(0.99), percent(1.0), late);
    }
    conv.stop_process();
    while (!conv.check_stop()) usleep(1000);
    conv.cleanup();
    return 0;
}
