#ifndef STREAMCONV_CSOXR_SHIM_H
#define STREAMCONV_CSOXR_SHIM_H
#include <soxr.h>
#endif
