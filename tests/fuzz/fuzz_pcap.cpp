// libFuzzer target: the pcap reader (tests/pcap.hpp), which replay tools point at files from
// anywhere. Any bytes either load or are refused with a reason; every frame and UDP payload found
// lies inside the input.

#include "tests/pcap.hpp"

#include <cstdint>
#include <string>

namespace {

void require(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rns;
    std::string error;
    auto f = pcap::file::parse(bytes(data, data + size), error);
    if (!f) {
        require(!error.empty());
        return 0;
    }
    std::size_t total = 24;
    for (const auto& fr : f->frames()) {
        total += 16 + fr.data.size();
    }
    require(total == size);
    std::size_t skipped = 0;
    const auto d = f->udp_datagrams(&skipped);
    require(d.size() + skipped == f->frames().size());
    for (const auto& u : d) {
        require(u.ip_version == 4 || u.ip_version == 6);
        require(u.src_addr.size() == (u.ip_version == 4 ? 4u : 16u));
        require(u.payload.size() + 8 <= 65535);
    }
    return 0;
}
