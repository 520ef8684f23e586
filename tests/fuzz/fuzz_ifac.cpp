// libFuzzer target: IFAC verify/strip (spec §9.3) with fixed keys on arbitrary wire bytes.
// Input byte 0 picks the key (ifac.json settings: testnet/secret 16 bytes, rnsvec-mesh/hunter2
// 1 byte, net4/pass4 4 bytes) and the operation; the rest is the packet.
//   verify: never reads or writes out of bounds (out buffer sized exactly); when it accepts,
//           applying IFAC to the recovered packet must give the input back byte for byte, and the
//           in-place form must agree.
//   apply:  the rest as a raw packet (bit 7 cleared): verify must recover it exactly.

#include "router/rns/ifac.hpp"

#include "crypto/random.hpp"

#include <cstdlib>
#include <memory>

namespace {

using namespace rns;

const ifac::key& key_for(std::uint8_t sel) {
    static const ifac::key keys[3] = {
        [] {
            if (!crypto::init()) {
                std::abort();
            }
            return *ifac::key::derive("testnet", "secret", 16);
        }(),
        *ifac::key::derive("rnsvec-mesh", "hunter2", 1),
        *ifac::key::derive("net4", "pass4", 4),
    };
    return keys[sel % 3];
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const ifac::key& k = key_for(data[0] & 0x0f);
    const bool apply_first = (data[0] & 0x80) != 0;
    // exact-size heap copies so ASan sees any overrun
    auto in = std::make_unique<std::uint8_t[]>(size);
    std::copy(data + 1, data + size, in.get());
    byte_view wire(in.get(), size - 1);

    if (!apply_first) {
        auto out = std::make_unique<std::uint8_t[]>(wire.size() + 1);
        std::span<std::uint8_t> out_span(out.get(), wire.size());
        std::size_t len = 0;
        auto v = k.verify(wire, out_span, len);
        (void)ifac::check_plain(wire);
        if (v == ifac::verdict::ok) {
            auto again = std::make_unique<std::uint8_t[]>(wire.size());
            if (k.apply(byte_view(out.get(), len), std::span<std::uint8_t>(again.get(), wire.size())) != wire.size() ||
                !equal(byte_view(again.get(), wire.size()), wire)) {
                std::abort();
            }
            bytes inplace(wire.begin(), wire.end());
            std::size_t len2 = 0;
            if (k.verify(inplace, inplace, len2) != ifac::verdict::ok || len2 != len ||
                !equal(byte_view(inplace).first(len2), byte_view(out.get(), len))) {
                std::abort();
            }
        }
        return 0;
    }

    if (wire.size() <= 2) {
        return 0;
    }
    bytes raw(wire.begin(), wire.end());
    raw[0] &= 0x7f;
    bytes applied(raw.size() + k.size());
    if (k.apply(raw, applied) != applied.size()) {
        std::abort();
    }
    bytes back(applied.size());
    std::size_t len = 0;
    if (k.verify(applied, back, len) != ifac::verdict::ok || !equal(byte_view(back).first(len), raw)) {
        std::abort();
    }
    return 0;
}
