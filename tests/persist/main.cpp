// Persistence unit tests. Skips (exit code 77) when the kernel lacks what the store needs.
#define DOCTEST_CONFIG_IMPLEMENT
#include "persist/uring.hpp"

#include <doctest/doctest.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (std::string why = persist::kernel_support_problem(); !why.empty()) {
        std::printf("SKIP: %s\n", why.c_str());
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
