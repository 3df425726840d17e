// libFuzzer for a program with its own `main`: SwiftPM names an executable's entry point after its module on
// Linux, so libFuzzer's `main` cannot be the program's; the harness's top-level code calls this instead.
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with the program's arguments over `testOneInput`, then exits with its status.
_Noreturn void RunLibFuzzer(int argc, char **argv, int (*testOneInput)(const uint8_t *data, size_t size));
