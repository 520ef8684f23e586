// libFuzzer target: announce validation (spec §5.2) on arbitrary packets. Checks that the split
// stays inside the packet, that the reason is consistent with the layout, that a valid announce
// stays valid in the HEADER_2 form a transport re-sends (spec §6.7), and that the known-key and
// blackhole checks give their reasons. Seeds (tests/fuzz/corpus/announce/) are real announces
// from announces.json, so mutations reach the signature and destination checks.

#include "crypto/random.hpp"
#include "router/rns/announce.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>

namespace {

using namespace rns;

void require(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

bool inside(byte_view part, byte_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool blackhole_all(const hash16&, const void*) noexcept { return true; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = crypto::init();
    require(ready);
    const byte_view in(data, size);
    auto parsed = parse_packet(in, 0, ifac_bit::ignore);
    if (!parsed) {
        return 0;
    }
    const packet_view& p = parsed.packet;
    const auto split = split_announce(p);
    const auto r = validate_announce(p);
    if (p.flags.type != packet_type::announce) {
        require(split.error == announce_error::not_announce && r.error == announce_error::not_announce);
        return 0;
    }
    const std::size_t need = p.flags.context_flag ? announce_min_data_ratchet : announce_min_data;
    require((split.error == announce_error::truncated) == (p.data.size() < need));
    if (!split) {
        require(r.error == announce_error::truncated);
        return 0;
    }
    const announce_view& a = split.announce;
    require(a.public_key.size() == 64 && a.name_hash.size() == 10 && a.random_hash.size() == 10);
    require(a.signature.size() == 64 && a.ratchet.size() == (p.flags.context_flag ? 32u : 0u));
    for (auto v : {a.public_key, a.name_hash, a.random_hash, a.ratchet, a.signature, a.app_data}) {
        require(inside(v, in));
    }
    require(a.app_data_present == (p.data.size() > announce_min_data));
    require(a.emission_timestamp() < (1ULL << 40));

    announce_checks sig_only;
    sig_only.signature_only = true;
    const auto s = validate_announce(p, sig_only);
    // Full validation can only fail where signature-only validation passed for a later step.
    require(!r || s);
    if (s) {
        require(r || r.error == announce_error::destination_mismatch);
    }
    if (!r) {
        return 0;
    }
    announce_checks bh;
    bh.is_blackholed = blackhole_all;
    require(validate_announce(p, bh).error == announce_error::blackholed);
    byte_array<64> other = take<64>(a.public_key);
    announce_checks known;
    known.known_public_key = &other;
    require(static_cast<bool>(validate_announce(p, known)));
    other[0] ^= 1;
    require(validate_announce(p, known).error == announce_error::key_collision);

    hash16 me{};
    me.fill(0x11);
    std::array<std::uint8_t, mtu> out{};
    const std::size_t n = write_announce_rebroadcast(in, 3, me, ctx::path_response, out);
    if (size - (p.is_header_2() ? header_maxsize : header_minsize) + header_maxsize <= mtu) {
        require(n != 0);
        auto q = parse_packet(byte_view(out).first(n));
        require(q && q.packet.is_header_2() && q.packet.context == ctx::path_response);
        require(static_cast<bool>(validate_announce(q.packet)));
    } else {
        require(n == 0);
    }
    return 0;
}
