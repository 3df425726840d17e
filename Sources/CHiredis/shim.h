#ifndef KIQPROF_CHIREDIS_SHIM_H
#define KIQPROF_CHIREDIS_SHIM_H
// Included directly rather than through pkg-config: Debian's hiredis.pc carries -D_FILE_OFFSET_BITS=64,
// which SwiftPM rejects as a prohibited flag.
#include <hiredis/hiredis.h>
#endif
