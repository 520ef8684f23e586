// Test runner of the io thread tests: skips (exit 77) when the kernel lacks what the io thread needs.
#define DOCTEST_CONFIG_IMPLEMENT
#include "drivers/io/kernel_ops.hpp"

#include <doctest/doctest.h>

#include <cstdio>

int main(int argc, char** argv) {
    if (std::string problem = rns::io::kernel_support_problem(); !problem.empty()) {
        std::fprintf(stderr, "SKIP: %s\n", problem.c_str());
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
