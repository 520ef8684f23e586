// path_request.json (spec §6.9): requests as the reference builds them (endpoint and transport
// forms) rebuilt byte-exactly and parsed back; requests it received parsed with its tag rules; and
// every answer it sent rebuilt from the codec: a fresh PATH_RESPONSE announce from a local
// destination, the cached announce re-sent by a transport node, or the forwarded request.

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/path_request.hpp"
#include "tests/conformance/announce_json.hpp"
#include "tests/conformance/packet_json.hpp"

#include <array>
#include <map>
#include <vector>

namespace rns::conformance {
namespace {

void check_built(context& ctx, const json& side, const std::string& name) {
    int i = 0;
    for (const auto& c : side.at("built")) {
        ctx.begin_case();
        const std::string label = name + ".built[" + std::to_string(i++) + "]";
        const auto dest = take<16>(hex(ctx, c.at("requested_destination")));
        std::optional<hash16> tid;
        if (c.contains("transport_id")) {
            tid = take<16>(hex(ctx, c.at("transport_id")));
        }
        // No tag given: the reference draws one, T(16 random bytes).
        const byte_array<16> tag = c.at("tag").is_null()
                                       ? make_path_request_tag(take<16>(hex(ctx, c.at("urandom_consumed").at(0))))
                                       : take<16>(hex(ctx, c.at("tag")));
        const bytes built = build_path_request(dest, tag, tid);
        ctx.check(!c.at("outputs").empty(), label + ": nothing was sent");
        for (const auto& o : c.at("outputs")) {
            auto raw = check_packet_json(ctx, o.at("packet"), label);
            if (!raw) {
                continue;
            }
            ctx.check(equal(built, *raw), label + ": built request differs");
            const packet_view p = parse_packet(*raw).packet;
            ctx.check(is_path_request(p), label + ": not recognised as a path request");
            const auto r = parse_path_request(p.data);
            if (ctx.check(static_cast<bool>(r), label + ": request does not parse")) {
                ctx.check(equal(r.request.destination_hash, dest), label + ": parsed destination differs");
                ctx.check(equal(r.request.tag, tag), label + ": parsed tag differs");
                ctx.check(tid ? equal(r.request.requesting_transport, *tid)
                              : r.request.requesting_transport.empty(),
                          label + ": parsed transport id differs");
            }
        }
    }
}

// The receiver's reading of a request (spec §6.9), checked against the raw data independently:
// > 32 bytes: transport id [16:32], tag [32:48]; 17..32: tag [16:]; 16: tagless.
void check_request_parse(context& ctx, byte_view data, const std::string& label) {
    const auto r = parse_path_request(data);
    if (data.size() <= 16) {
        ctx.check(r.error == (data.size() == 16 ? path_request_error::no_tag : path_request_error::too_short),
                  label + ": short request not refused");
        return;
    }
    if (!ctx.check(static_cast<bool>(r), label + ": request does not parse")) {
        return;
    }
    ctx.check(equal(r.request.destination_hash, data.first(16)), label + ": destination differs");
    if (data.size() > 32) {
        ctx.check(equal(r.request.requesting_transport, data.subspan(16, 16)), label + ": transport id differs");
        ctx.check(equal(r.request.tag, data.subspan(32, std::min<std::size_t>(16, data.size() - 32))),
                  label + ": tag differs");
    } else {
        ctx.check(r.request.requesting_transport.empty(), label + ": transport id where none is");
        ctx.check(equal(r.request.tag, data.subspan(16)), label + ": tag differs");
    }
}

struct local_destination {
    identity id;
    hash10 name_hash;
};

void check_endpoint_answers(context& ctx, const json& ep) {
    // L1, L2: the endpoint's own destinations; the name hash comes from the name without its
    // identity suffix.
    std::map<std::string, local_destination> locals;
    for (const auto& [key, v] : ep.at("identities").items()) {
        auto id = identity::from_private_key(hex(ctx, v.at("private_key")));
        if (!ctx.check(id.has_value(), "endpoint identity " + key + " unusable")) {
            continue;
        }
        std::string name = v.at("name").get<std::string>();
        ctx.check(name.ends_with("." + id->hexhash()), "endpoint identity " + key + ": name suffix");
        name = name.substr(0, name.rfind('.'));
        std::vector<std::string> parts;
        for (std::size_t at = 0; at <= name.size();) {
            const auto dot = std::min(name.find('.', at), name.size());
            parts.push_back(name.substr(at, dot - at));
            at = dot + 1;
        }
        const std::vector<std::string_view> aspects(parts.begin() + 1, parts.end());
        const hash10 nh = name_hash(parts.front(), aspects);
        ctx.check(equal(destination_hash(nh, id->hash()), hex(ctx, v.at("destination_hash"))),
                  "endpoint identity " + key + ": destination hash differs");
        locals.emplace(to_hex(destination_hash(nh, id->hash())), local_destination{std::move(*id), nh});
    }
    int i = 0;
    for (const auto& c : ep.at("answered")) {
        ctx.begin_case();
        const std::string label = "endpoint.answered[" + std::to_string(i++) + "] " + c.at("what").get<std::string>();
        auto in = check_packet_json(ctx, c.at("input"), label + " input");
        if (!in) {
            continue;
        }
        const packet_view p = parse_packet(*in).packet;
        ctx.check(is_path_request(p), label + ": input not a path request");
        check_request_parse(ctx, p.data, label);
        const auto r = parse_path_request(p.data);
        if (!r) {
            ctx.check(c.at("outputs").empty(), label + ": a request we refuse was answered");
        }
        for (const auto& o : c.at("outputs")) {
            auto out = check_packet_json(ctx, o.at("packet"), label + " output");
            if (!out || !r) {
                continue;
            }
            const auto it = locals.find(to_hex(r.request.destination_hash));
            if (!ctx.check(it != locals.end(), label + ": answered for a destination not local")) {
                continue;
            }
            ctx.check(o.at("interface") == c.at("received_on"), label + ": answered on another interface");
            const json& urandom = c.at("urandom_consumed");
            const bytes entropy = hex(ctx, urandom.at(0));
            announce_inputs ai;
            ai.entropy = entropy;
            ai.clock = static_cast<std::uint64_t>(c.at("clock").get<double>());
            if (urandom.size() > 1) {
                ai.ratchet_private = take<32>(hex(ctx, urandom.at(1)));
            }
            const packet_view po = parse_packet(*out).packet;
            ctx.check(po.context == rns::ctx::path_response && !po.is_header_2(),
                      label + ": answer is not a HEADER_1 PATH_RESPONSE");
            check_announce_rebuild(ctx, *out, it->second.id, it->second.name_hash, ai, label);
        }
    }
}

void check_transport_answers(context& ctx, const json& tr) {
    const auto own = take<16>(hex(ctx, tr.at("transport_identity_hash")));
    auto own_id = identity::from_private_key(hex(ctx, tr.at("transport_identity_private_key")));
    ctx.check(own_id && own_id->hash() == own, "transport identity hash differs");
    std::map<std::string, bytes> cached; // destination → announce as received
    int i = 0;
    for (const auto& c : tr.at("answered")) {
        ctx.begin_case();
        const std::string label = "transport.answered[" + std::to_string(i++) + "] " + c.at("what").get<std::string>();
        auto in = check_packet_json(ctx, c.at("input"), label + " input");
        if (!in) {
            continue;
        }
        const packet_view p = parse_packet(*in).packet;
        const std::uint8_t hops = static_cast<std::uint8_t>(p.hops + 1);
        if (p.flags.type == packet_type::announce) {
            ctx.check(static_cast<bool>(validate_announce(p)), label + ": received announce invalid");
            cached[to_hex(p.destination_hash)] = *in;
            for (const auto& o : c.at("outputs")) {
                // Rebroadcast (context NONE) and path response (PATH_RESPONSE) of what arrived.
                auto out = check_packet_json(ctx, o.at("packet"), label + " output");
                if (!out) {
                    continue;
                }
                const packet_view po = parse_packet(*out).packet;
                std::array<std::uint8_t, 1024> buf{};
                const std::size_t n = write_announce_rebroadcast(*in, hops, own, po.context, buf);
                ctx.check(equal(byte_view(buf).first(n), *out), label + ": re-sent announce differs");
            }
            continue;
        }
        ctx.check(is_path_request(p), label + ": input not a path request");
        check_request_parse(ctx, p.data, label);
        const auto r = parse_path_request(p.data);
        for (const auto& o : c.at("outputs")) {
            auto out = check_packet_json(ctx, o.at("packet"), label + " output");
            if (!out || !ctx.check(static_cast<bool>(r), label + ": answered a refused request")) {
                continue;
            }
            const packet_view po = parse_packet(*out).packet;
            if (is_path_request(po)) {
                // Recursive discovery: the same request (same tag) sent on as this transport.
                ctx.check(equal(build_path_request(take<16>(r.request.destination_hash),
                                                   take<16>(r.request.tag), own),
                                *out),
                          label + ": forwarded request differs");
                continue;
            }
            const auto it = cached.find(to_hex(r.request.destination_hash));
            if (!ctx.check(it != cached.end(), label + ": answered without a cached announce")) {
                continue;
            }
            // Path response: the cached announce, HEADER_2 from us, hops = path hops (spec §6.9).
            const auto cp = parse_packet(it->second).packet;
            std::array<std::uint8_t, 1024> buf{};
            const std::size_t n = write_announce_rebroadcast(
                it->second, static_cast<std::uint8_t>(cp.hops + 1), own, rns::ctx::path_response, buf);
            ctx.check(equal(byte_view(buf).first(n), *out), label + ": path response differs");
        }
    }
    for (const auto& [key, d] : tr.at("remote_destinations").items()) {
        ctx.begin_case();
        const bytes raw = hex(ctx, d.at("announce"));
        auto p = parse_or_fail(ctx, raw, "remote " + key);
        if (p) {
            const auto v = validate_announce(*p);
            ctx.check(static_cast<bool>(v), "remote " + key + ": announce invalid");
            ctx.check(equal(p->destination_hash, hex(ctx, d.at("destination_hash"))),
                      "remote " + key + ": destination differs");
            auto id = identity::from_private_key(hex(ctx, d.at("private_key")));
            ctx.check(id && equal(id->public_key(), v.announce.public_key),
                      "remote " + key + ": announce key is not the destination's");
        }
    }
}

void check_path_request(context& ctx) {
    const json& ep = ctx.doc.at("endpoint");
    const json& tr = ctx.doc.at("transport");
    check_built(ctx, ep, "endpoint");
    check_built(ctx, tr, "transport");
    check_endpoint_answers(ctx, ep);
    check_transport_answers(ctx, tr);
}

} // namespace

RNS_CONFORMANCE_CHECKER("path_request.json", check_path_request);

} // namespace rns::conformance
