#ifndef STREAMCONV_CALSA_SHIM_H
#define STREAMCONV_CALSA_SHIM_H
#include <alsa/asoundlib.h>
#endif
