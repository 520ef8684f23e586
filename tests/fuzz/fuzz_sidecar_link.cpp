// libFuzzer target: the router–sidecar link decoder (drivers/rnode_sidecar/LINK_PROTOCOL.md) on
// arbitrary datagrams. Whatever decodes must re-encode to a datagram that decodes to the same
// message; whatever does not must say why.
#include "drivers/rnode_sidecar/link_protocol.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sidecar_link;
    const decoded d = decode(rns::byte_view(data, size));
    if (!d.msg) {
        if (to_string(d.error)[0] == '?') {
            std::abort();
        }
        return 0;
    }
    const rns::bytes again = encode(*d.msg);
    const decoded d2 = decode(again);
    if (!d2.msg || !(*d2.msg == *d.msg)) {
        std::abort();
    }
    return 0;
}
