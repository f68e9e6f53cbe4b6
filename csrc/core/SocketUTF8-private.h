/* SocketUTF8-private.h - internals shared with tests, fuzzers and benches. */
#ifndef SOCKETUTF8_PRIVATE_INCLUDED
#define SOCKETUTF8_PRIVATE_INCLUDED

#include <stddef.h>

#include "core/SocketUTF8.h"

/** SocketUTF8_validate() forced onto the portable (non-SIMD) ASCII path. */
SocketUTF8_Result SocketUTF8__validate_portable (const unsigned char *data, size_t len);

#endif
