#ifndef STREAMCONV_CSNDFILE_SHIM_H
#define STREAMCONV_CSNDFILE_SHIM_H
#include <sndfile.h>
#endif
