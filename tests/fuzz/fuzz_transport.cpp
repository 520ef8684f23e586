// Fuzzes the control plane's transport: the input is a sequence of records
// [interface/time byte][length byte][packet bytes...] fed to transport::inbound on one of three
// interfaces (full, gateway, access point), with the clock advancing and tick() run between
// records. Any input must be handled without a crash, leak or undefined behaviour; every packet
// must end sent or counted (drops by reason).

#include "router/control/random_source.hpp"
#include "router/control/transport.hpp"

#include "crypto/random.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

struct null_sink final : rns::control::transport_sink {
    std::size_t sent = 0;
    void send(rns::control::iface_id, rns::byte_view raw) override { sent += raw.size(); }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = rns::crypto::init();
    if (!ready) {
        return 0;
    }
    rns::byte_array<64> key{};
    for (std::size_t i = 0; i < key.size(); ++i) {
        key[i] = static_cast<std::uint8_t>(i * 7 + 1);
    }
    null_sink sink;
    rns::control::seeded_random rng(1);
    rns::control::transport t(key, sink, rng);
    rns::control::iface_config c;
    c.hw_mtu = 1064;
    t.add_interface(c, 0);
    c.mode = rns::control::iface_mode::gateway;
    c.autoconfigure_mtu = true;
    t.add_interface(c, 0);
    c.mode = rns::control::iface_mode::access_point;
    t.add_interface(c, 0);

    double now = 1'000'000.0;
    std::size_t i = 0;
    while (i + 2 <= size) {
        const std::uint8_t ctl = data[i];
        std::size_t len = data[i + 1];
        if (ctl & 0x80) {
            len += 256; // long packets (up to 511 bytes) too
        }
        i += 2;
        if (len > size - i) {
            len = size - i;
        }
        const auto iface = static_cast<rns::control::iface_id>(ctl % 3);
        now += static_cast<double>((ctl >> 2) & 0x1f) * 0.37;
        const auto res = t.inbound(iface, rns::byte_view(data + i, len), now);
        if (res.dropped && res.reason == rns::control::drop_reason::count_) {
            std::abort(); // a drop must name its reason
        }
        t.tick(now);
        i += len;
    }
    t.tick(now + 10.0);
    t.tick(now + 1000.0);
    return 0;
}
