// libFuzzer target: the packet codec (spec §4) and what parses packet data without crypto —
// path requests (spec §6.9), proof splitting (spec §8) — on arbitrary bytes.
// Invariants checked on every accepted input:
//   - the views lie inside the input and the header has the size its type says;
//   - rebuilding from the parsed fields gives the input back;
//   - the packet hash is SHA-256 of hashable_part;
//   - the transport rewrites produce packets that parse and keep the packet hash.

#include "crypto/random.hpp"
#include "crypto/sha256.hpp"
#include "router/rns/packet.hpp"
#include "router/rns/path_request.hpp"
#include "router/rns/proof.hpp"

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

void check_rewrites(const packet_view& p) {
    static const hash16 next = [] {
        hash16 h{};
        h.fill(0x5a);
        return h;
    }();
    const hash32 h = packet_hash(p);
    std::array<std::uint8_t, 1 << 16> out; // large enough for any input the fuzzer sends
    const auto same_hash = [&](std::size_t n) {
        auto r = parse_packet(byte_view(out).first(n), 0, ifac_bit::ignore);
        require(r && packet_hash(r.packet) == h);
    };
    if (p.raw.size() + 16 > out.size()) {
        return;
    }
    if (p.is_header_2()) {
        require(insert_transport(p.raw, next, out) == 0);
        const std::size_t a = replace_transport(p.raw, 7, next, out);
        require(a == p.raw.size());
        same_hash(a);
        const std::size_t b = strip_transport(p.raw, 7, out);
        require(b == p.raw.size() - 16);
        same_hash(b);
    } else {
        require(replace_transport(p.raw, 7, next, out) == 0);
        require(strip_transport(p.raw, 7, out) == 0);
        const std::size_t n = insert_transport(p.raw, next, out);
        require(n == p.raw.size() + 16);
        same_hash(n);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const bool ready = crypto::init();
    require(ready);
    const byte_view in(data, size);

    auto strict = parse_packet(in, mtu);
    auto loose = parse_packet(in, 0, ifac_bit::ignore);
    // The strict parser accepts a subset of what the reference's unpack accepts.
    require(!strict || loose);
    if (!loose) {
        return 0;
    }
    const packet_view& p = loose.packet;
    require(p.raw.size() == size);
    require(p.raw.size() >= (p.is_header_2() ? header_maxsize : header_minsize));
    require(p.hops < pathfinder_max_hops);
    require(p.destination_hash.size() == 16 && inside(p.destination_hash, in));
    require(p.transport_id.size() == (p.is_header_2() ? 16u : 0u) && inside(p.transport_id, in));
    require(inside(p.data, in) && p.data.size() == size - (p.is_header_2() ? header_maxsize : header_minsize));

    packet_fields f;
    f.flags = p.flags;
    f.hops = p.hops;
    f.transport_id = take<16>(p.transport_id);
    f.destination_hash = take<16>(p.destination_hash);
    f.context = p.context;
    f.data = p.data;
    require(equal(build_packet(f), in));
    require(packet_hash(p) == crypto::sha256(hashable_part(p)));
    require(context_name(p.context) != nullptr);

    check_rewrites(p);

    if (auto r = parse_path_request(p.data)) {
        require(r.request.destination_hash.size() == 16 && inside(r.request.destination_hash, in));
        require(!r.request.tag.empty() && r.request.tag.size() <= 16 && inside(r.request.tag, in));
        require(r.request.requesting_transport.empty() || r.request.requesting_transport.size() == 16);
    }
    if (auto pr = split_proof(p.data)) {
        require(pr->signature.size() == 64 && inside(pr->signature, in));
    }
    return 0;
}
