// libFuzzer target: tunnel synthesis data (spec §6.14) and the persisted tunnel file
// (persist/README.md, tunnels.snap). Input byte 0 picks which.
//   synthesis: verify_tunnel_synthesis never reads out of bounds; when it accepts, the data is
//              176 bytes and the tunnel id is H(public key ‖ interface hash).
//   file:      decode_tunnels never crashes; what it decodes re-encodes to a file that decodes to
//              the same records without errors.

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "persist/snapshot_codec.hpp"
#include "router/rns/tunnel.hpp"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = rns::crypto::init();
    if (!ready) {
        std::abort();
    }
    if (size < 1) {
        return 0;
    }
    const rns::byte_view rest(data + 1, size - 1);
    if ((data[0] & 1) == 0) {
        const rns::tunnel_result r = rns::verify_tunnel_synthesis(rest);
        if (r) {
            if (rest.size() != rns::tunnel_synthesize_data_size ||
                r.tunnel.tunnel_id != rns::crypto::sha256({rest.first(64), rest.subspan(64, 32)})) {
                std::abort();
            }
        }
        return 0;
    }
    const auto d = persist::decode_tunnels(rest);
    if (d) {
        const auto again = persist::decode_tunnels(persist::encode_tunnels(d->tunnels));
        if (!again || !again->errors.empty() || again->tunnels != d->tunnels) {
            std::abort();
        }
    }
    return 0;
}
