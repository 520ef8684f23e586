#define DOCTEST_CONFIG_IMPLEMENT
#include "crypto/random.hpp"

#include <doctest/doctest.h>

int main(int argc, char** argv) {
    if (!rns::crypto::init()) {
        return 1;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
