// packets.json: the packet codec (spec §4) both ways on every recorded packet, the rejected and
// minimal inputs, and the transport rewrites (spec §6.4, §6.8) against what the reference sent.

#include "router/rns/announce.hpp"
#include "router/rns/packet.hpp"
#include "tests/conformance/packet_json.hpp"

#include <array>

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

void check_produced(context& ctx) {
    int i = 0;
    for (const auto& c : ctx.doc.at("produced")) {
        ctx.begin_case();
        check_packet_json(ctx, c.at("packet"),
                          "produced[" + std::to_string(i++) + "] " + c.at("what").get<std::string>());
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
                in, static_cast<std::uint8_t>(pin.packet.hops + 1), own, ctx::none, buf);
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
