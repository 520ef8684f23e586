#pragma once
// Shared by the checkers that meet announces the reference built (announces, packets,
// path_request, capture_*): rebuild them byte-exactly from the identity and the recorded random
// inputs, and validate them.

#include "router/rns/announce.hpp"
#include "router/rns/identity.hpp"
#include "tests/conformance/registry.hpp"

#include <optional>
#include <string>

namespace rns::conformance {

/// The random inputs of one announce as the reference consumed them.
struct announce_inputs {
    byte_view entropy;    ///< the 16 bytes get_random_hash drew (urandom_consumed[0])
    std::uint64_t clock = 0;
    std::optional<crypto::x25519_private> ratchet_private;
};

/// Rebuilds raw (a HEADER_1 announce) with build_announce from id, the name hash, the inputs and
/// the app data found in raw, and checks the bytes are identical and the announce validates.
void check_announce_rebuild(context& ctx, byte_view raw, const identity& id, const hash10& name_hash,
                            const announce_inputs& in, const std::string& label);

} // namespace rns::conformance
