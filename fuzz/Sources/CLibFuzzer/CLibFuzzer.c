#include <stdlib.h>
#include "CLibFuzzer.h"

// From libFuzzer, which -sanitize=fuzzer links in.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

void RunLibFuzzer(int argc, char **argv, int (*testOneInput)(const uint8_t *data, size_t size)) {
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput));
}
