// packets.json: the packet codec (spec §4) both ways on every recorded packet, the rejected and
// minimal inputs, and the transport rewrites (spec §6.4, §6.8) against what the reference sent.

#include "router/rns/announce.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/packet.hpp"
#include "router/rns/path_request.hpp"
#include "router/rns/proof.hpp"
#include "tests/conformance/announce_json.hpp"
#include "tests/conformance/packet_json.hpp"

#include <array>
#include <vector>

namespace rns::conformance {
namespace {

void check_list(context& ctx, const char* list) {
    int i = 0;
    for (const auto& c : ctx.doc.at(list)) {
        ctx.begin_case();
        check_packet_json(ctx, c, std::string(list) + "[" + std::to_string(i++) + "]");
    }
}

void check_invalid(context& ctx) {
    int i = 0;
    for (const auto& c : ctx.doc.at("unpack_invalid")) {
        ctx.begin_case();
        const std::string label = "unpack_invalid[" + std::to_string(i++) + "] " +
                                  c.at("what").get<std::string>();
        ctx.check(!c.at("parsed").at("unpack_ok").get<bool>(), label + ": vector not marked invalid");
        const bytes raw = hex(ctx, c.at("raw"));
        ctx.check(!parse_packet(raw, 0, ifac_bit::ignore), label + ": accepted");
        ctx.check(!parse_packet(raw), label + ": accepted by the strict parser");
    }
}

// Every identity private key in the file (for finding the one a proof was made with).
std::vector<identity> all_identities(context& ctx) {
    std::vector<identity> ids;
    for (const auto* list : {"produced", "transport_inserted"}) {
        for (const auto& c : ctx.doc.at(list)) {
            const json& keys = c.contains("keys") ? c.at("keys") : c;
            for (const auto* k : {"recipient_private_key", "identity_private_key"}) {
                if (keys.contains(k)) {
                    if (auto id = identity::from_private_key(hex(ctx, keys.at(k)))) {
                        ids.push_back(std::move(*id));
                    }
                }
            }
        }
    }
    return ids;
}

// spec §8: the proof of a SINGLE data packet, by the identity that can decrypt that packet.
void check_proof(context& ctx, const json& c, byte_view raw, const std::string& label) {
    const bytes proved = hex(ctx, c.at("proved_packet"));
    auto pp = parse_or_fail(ctx, proved, label + " proved packet");
    auto proof = parse_or_fail(ctx, raw, label);
    if (!pp || !proof) {
        return;
    }
    const hash32 h = packet_hash(*pp);
    ctx.check(equal(h, hex(ctx, c.at("proved_packet_hash"))), label + ": proved packet hash differs");
    ctx.check(equal(proof->destination_hash, byte_view(h).first(16)),
              label + ": proof not addressed to the truncated packet hash");
    const bool explicit_proof = proof->data.size() == explicit_proof_size;
    const identity* signer = nullptr;
    const auto ids = all_identities(ctx);
    for (const auto& id : ids) {
        if (id.decrypt(pp->data)) {
            signer = &id;
        }
    }
    if (!ctx.check(signer != nullptr, label + ": no identity in the file decrypts the proved packet")) {
        return;
    }
    ctx.check(validate_proof(proof->data, h, signer->ed25519_public()) == proof_error::ok,
              label + ": proof does not validate");
    ctx.check(equal(build_proof(*signer, h, explicit_proof), raw), label + ": rebuilt proof differs");
    // Rejections: another packet hash, a flipped signature byte, a wrong length.
    hash32 other = h;
    other[0] ^= 1;
    const proof_error e = validate_proof(proof->data, other, signer->ed25519_public());
    ctx.check(e == (explicit_proof ? proof_error::hash_mismatch : proof_error::bad_signature),
              label + ": proof accepted for another packet");
    bytes bad(proof->data.begin(), proof->data.end());
    bad.back() ^= 1;
    ctx.check(validate_proof(bad, h, signer->ed25519_public()) == proof_error::bad_signature,
              label + ": tampered proof accepted");
    bad.pop_back();
    ctx.check(validate_proof(bad, h, signer->ed25519_public()) == proof_error::bad_length,
              label + ": short proof accepted");
}

void check_produced(context& ctx) {
    int i = 0;
    for (const auto& c : ctx.doc.at("produced")) {
        ctx.begin_case();
        const std::string label =
            "produced[" + std::to_string(i++) + "] " + c.at("what").get<std::string>();
        auto raw = check_packet_json(ctx, c.at("packet"), label);
        if (!raw) {
            continue;
        }
        const packet_view p = parse_packet(*raw).packet;
        if (p.flags.type == packet_type::announce) {
            auto id = identity::from_private_key(hex(ctx, c.at("keys").at("identity_private_key")));
            const auto split = split_announce(p);
            if (!ctx.check(id && split, label + ": identity or announce unusable")) {
                continue;
            }
            const json& urandom = c.at("urandom_consumed");
            const bytes entropy = hex(ctx, urandom.at(0));
            announce_inputs in;
            in.entropy = entropy;
            in.clock = static_cast<std::uint64_t>(c.at("clock").get<double>());
            if (urandom.size() > 1) {
                in.ratchet_private = take<32>(hex(ctx, urandom.at(1)));
            }
            check_announce_rebuild(ctx, *raw, *id, take<10>(split.announce.name_hash), in, label);
        } else if (c.contains("proved_packet")) {
            check_proof(ctx, c, *raw, label);
        } else if (is_path_request(p)) {
            // dest ‖ tag from an endpoint: rebuilt from its parsed fields.
            const auto r = parse_path_request(p.data);
            if (ctx.check(r && r.request.tag.size() == 16, label + ": path request not parsed")) {
                ctx.check(equal(build_path_request(take<16>(r.request.destination_hash),
                                                   take<16>(r.request.tag)),
                                *raw),
                          label + ": rebuilt path request differs");
            }
        }
    }
}

// spec §6.8: Transport.outbound turns a HEADER_1 packet into HEADER_2 for a path of more than one hop.
void check_transport_inserted(context& ctx) {
    int i = 0;
    for (const auto& c : ctx.doc.at("transport_inserted")) {
        ctx.begin_case();
        const std::string label = "transport_inserted[" + std::to_string(i++) + "]";
        auto h1 = check_packet_json(ctx, c.at("packed_header_1"), label + " packed");
        auto h2 = check_packet_json(ctx, c.at("transmitted"), label + " transmitted");
        if (!h1 || !h2) {
            continue;
        }
        const auto next_hop = take<16>(hex(ctx, c.at("path_entry").at("next_hop")));
        std::array<std::uint8_t, 1024> out{};
        const std::size_t n = insert_transport(*h1, next_hop, out);
        ctx.check(equal(byte_view(out).first(n), *h2), label + ": insert_transport output differs");
        ctx.check(insert_transport(*h1, next_hop, std::span(out).first(h1->size() + 15)) == 0,
                  label + ": insert_transport wrote into a too small buffer");
        ctx.check(insert_transport(*h2, next_hop, out) == 0,
                  label + ": insert_transport accepted a HEADER_2 packet");
        // The packet hash survives the conversion (spec §4.5).
        auto p1 = parse_packet(*h1);
        auto p2 = parse_packet(*h2);
        ctx.check(p1 && p2 && packet_hash(p1.packet) == packet_hash(p2.packet),
                  label + ": hash changed by the conversion");
    }
}

// spec §6.4 / §6.5 / §6.7: what the transport node sent for each input, rebuilt with the codec's
// rewrites. Decisions (drop, which interface) belong to the transport tables; the codec must
// reproduce every byte of each output from the input.
void check_forwarding(context& ctx) {
    int i = 0;
    for (const auto& c : ctx.doc.at("forwarding")) {
        ctx.begin_case();
        const std::string label = "forwarding[" + std::to_string(i++) + "] " +
                                  c.at("what").get<std::string>();
        auto in = check_packet_json(ctx, c.at("input"), label + " input");
        if (!in) {
            continue;
        }
        const auto pin = parse_packet(*in).packet;
        const std::uint8_t hops = static_cast<std::uint8_t>(pin.hops + 1);
        for (const auto& o : c.at("outputs")) {
            auto out = check_packet_json(ctx, o.at("packet"), label + " output");
            if (!out) {
                continue;
            }
            const auto pout = parse_packet(*out).packet;
            std::array<std::uint8_t, 1024> buf{};
            std::size_t n = 0;
            if (pin.is_header_2() && pout.is_header_2()) {
                n = replace_transport(*in, hops, take<16>(pout.transport_id), buf);
            } else if (pin.is_header_2()) {
                n = strip_transport(*in, hops, buf);
            } else if (!pout.is_header_2()) {
                // remaining == 0 / link table / reverse table: header kept, hop byte written.
                std::copy(in->begin(), in->end(), buf.begin());
                buf[1] = hops;
                n = in->size();
            }
            byte_view got = byte_view(buf).first(n);
            if (pin.flags.type == packet_type::link_request && n == out->size() + 3) {
                // spec §6.4: the 3 MTU signalling bytes removed for an interface without MTU
                // configuration; the rest of the rewrite is the same.
                got = got.first(out->size());
            } else {
                ctx.check(packet_hash(pin) == packet_hash(pout),
                          label + ": hash not kept across the rewrite");
            }
            ctx.check(equal(got, *out), label + ": rewritten packet differs from the reference's");
        }
    }
}

// The job loop rebroadcasts each received announce as HEADER_2 from this node (spec §6.7).
void check_rebroadcasts(context& ctx) {
    const auto own = take<16>(hex(ctx, ctx.doc.at("description").at("transport_identity_hash")));
    int i = 0;
    for (const auto& c : ctx.doc.at("announce_rebroadcasts")) {
        ctx.begin_case();
        const std::string label = "announce_rebroadcasts[" + std::to_string(i++) + "]";
        auto out = check_packet_json(ctx, c.at("packet"), label);
        if (!out) {
            continue;
        }
        const auto pout = parse_packet(*out).packet;
        bool found = false;
        for (const auto& f : ctx.doc.at("forwarding")) {
            const bytes in = hex(ctx, f.at("input").at("raw"));
            auto pin = parse_packet(in);
            if (!pin || pin.packet.flags.type != packet_type::announce ||
                !equal(pin.packet.destination_hash, pout.destination_hash)) {
                continue;
            }
            found = true;
            std::array<std::uint8_t, 1024> buf{};
            const std::size_t n = write_announce_rebroadcast(
                in, static_cast<std::uint8_t>(pin.packet.hops + 1), own, rns::ctx::none, buf);
            ctx.check(equal(byte_view(buf).first(n), *out), label + ": rebroadcast differs");
        }
        ctx.check(found, label + ": no received announce for this destination");
    }
}

void check_packets(context& ctx) {
    check_list(ctx, "flags_matrix");
    check_invalid(ctx);
    check_list(ctx, "unpack_minimal");
    check_produced(ctx);
    check_transport_inserted(ctx);
    check_forwarding(ctx);
    check_rebroadcasts(ctx);
}

} // namespace

RNS_CONFORMANCE_CHECKER("packets.json", check_packets);

} // namespace rns::conformance
