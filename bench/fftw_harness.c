// scripts/bench's FFTW peer (built from Debian's libfftw3-dev when present; never linked by
// streamconv): a forward (r2c) and an inverse (c2r) single-precision real FFT of each size
// with FFTW_MEASURE plans, in ns per pair of thread CPU time, median of 5 after a warm-up,
// printed as the same JSON object as `streamconv-bench --workload fft`.
#include <fftw3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    int smoke = argc > 1;
    int sizes[] = {256, 1024, 4096, 16384, 32768};
    printf("{");
    for (int s = 0; s < 5; s++) {
        int n = sizes[s];
        float *x = fftwf_malloc(sizeof(float) * n), *y = fftwf_malloc(sizeof(float) * n);
        fftwf_complex *X = fftwf_malloc(sizeof(fftwf_complex) * (n / 2 + 1));
        fftwf_plan forward = fftwf_plan_dft_r2c_1d(n, x, X, FFTW_MEASURE);
        fftwf_plan inverse = fftwf_plan_dft_c2r_1d(n, X, y, FFTW_MEASURE);
        srand(n);
        for (int i = 0; i < n; i++) x[i] = (float)rand() / RAND_MAX - 0.5f;
        int repetitions = (smoke ? 1 << 17 : 1 << 23) / n;
        if (repetitions < 4) repetitions = 4;
        double times[6];
        for (int r = 0; r < 6; r++) {
            double start = now();
            for (int i = 0; i < repetitions; i++) {
                fftwf_execute(forward);
                fftwf_execute(inverse);
                x[0] = y[1] * 1e-9f;
            }
            times[r] = now() - start;
        }
        qsort(times + 1, 5, sizeof(double), compare);
        printf("%s\"n%d\": %g", s ? ", " : "", n, times[3] / repetitions * 1e9);
        fftwf_destroy_plan(forward);
        fftwf_destroy_plan(inverse);
        fftwf_free(x); fftwf_free(y); fftwf_free(X);
    }
    printf("}\n");
    return 0;
}
