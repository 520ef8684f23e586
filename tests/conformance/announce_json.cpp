// Byte-exact announce rebuilding (spec §5.1) for the conformance checkers.

#include "tests/conformance/announce_json.hpp"

#include "tests/conformance/packet_json.hpp"

namespace rns::conformance {

void check_announce_rebuild(context& ctx, byte_view raw, const identity& id, const hash10& name_hash,
                            const announce_inputs& in, const std::string& label) {
    const auto p = parse_or_fail(ctx, raw, label);
    if (!p) {
        return;
    }
    const auto split = validate_announce(*p);
    if (!ctx.check(static_cast<bool>(split),
                   label + ": announce does not validate (" + to_string(split.error) + ")")) {
        return;
    }
    if (!ctx.check(in.entropy.size() == 16, label + ": no 16-byte random input recorded")) {
        return;
    }
    announce_params params;
    params.name_hash = name_hash;
    params.random = make_random_hash(take<16>(in.entropy), in.clock);
    ctx.check(equal(params.random, split.announce.random_hash), label + ": random hash differs");
    ctx.check(split.announce.emission_timestamp() == in.clock, label + ": emission time differs");
    if (in.ratchet_private) {
        params.ratchet = crypto::x25519_public_from_private(*in.ratchet_private);
        ctx.check(equal(*params.ratchet, split.announce.ratchet), label + ": ratchet differs");
    }
    params.app_data = split.announce.app_data;
    params.path_response = p->context == rns::ctx::path_response;
    ctx.check(equal(build_announce(id, params), raw), label + ": rebuilt announce differs");
}

} // namespace rns::conformance
