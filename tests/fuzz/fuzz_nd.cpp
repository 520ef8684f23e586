// libFuzzer target: the IPv6 neighbour discovery parser (drivers/nd_parse.hpp) on arbitrary
// packets. Never reads past the input (ASan); whatever it accepts obeys RFC 4861 §7.1: IPv6,
// ICMPv6, hop limit 255, NS or NA, a payload that fits, a correct checksum; and a copy with one
// flipped message byte is refused.
#include "drivers/nd_parse.hpp"

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rns::drivers;
    const auto m = parse_nd({data, size});
    if (!m) {
        return 0;
    }
    const std::uint32_t payload = static_cast<std::uint32_t>(data[4] << 8 | data[5]);
    if (size < 40 + 24 || (data[0] >> 4) != 6 || data[6] != 58 || data[7] != 255 || payload < 24 ||
        payload > size - 40 || (m->type != icmp6_ns && m->type != icmp6_na) || data[40] != m->type ||
        !ipv6_upper_checksum_ok(data, data + 40, payload)) {
        std::abort();
    }
    std::vector<std::uint8_t> flipped(data, data + size);
    flipped[40 + 8] ^= 0x01; // a target byte
    if (parse_nd(flipped)) {
        std::abort();
    }
    return 0;
}
