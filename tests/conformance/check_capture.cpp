// capture_*.json with its .pcap: real traffic of the reference. The pcap is decoded with our
// reader and must hold exactly the recorded datagrams; every packet parses and hashes like the
// reference (both directions, packet_json); each packet the transport node sent is rebuilt from
// the packet it came from with the codec's rewrites; announces, path requests and proofs are
// decoded and verified with the recorded keys.

#include "crypto/sha256.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/identity.hpp"
#include "router/rns/path_request.hpp"
#include "router/rns/proof.hpp"
#include "tests/conformance/packet_json.hpp"
#include "tests/pcap.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <map>
#include <vector>

namespace rns::conformance {
namespace {

std::string endpoint_text(const bytes& addr, std::uint16_t port) {
    std::string s;
    if (addr.size() == 4) {
        for (std::size_t i = 0; i < 4; ++i) {
            s += (i ? "." : "") + std::to_string(addr[i]);
        }
    } else {
        s = "[" + to_hex(addr) + "]";
    }
    return s + ":" + std::to_string(port);
}

std::string rns_type(const packet_view& p) {
    static constexpr const char* types[] = {"DATA", "ANNOUNCE", "LINKREQUEST", "PROOF"};
    std::string s = std::string(types[static_cast<int>(p.flags.type)]) + "/" + context_name(p.context);
    // The capture spells LINKIDENTIFY/LINKCLOSE like context_name; nothing to map.
    return p.is_header_2() ? s + " (HEADER_2)" : s;
}

struct capture_state {
    std::vector<bytes> raws;                     // index → raw bytes
    std::map<std::string, identity> by_dest;     // destination hash → its identity
    std::map<std::string, std::string> link_dest; // link id → destination hash
    std::map<std::string, hash16> transport_ids; // node name → transport id
};

void check_pcap(context& ctx, const json& desc, const json& packets) {
    ctx.begin_case();
    const std::string name = desc.at("file").get<std::string>();
    std::string error;
    auto f = pcap::file::load(ctx.dir / name, error);
    if (!ctx.check(f.has_value(), name + ": " + error)) {
        return;
    }
    ctx.check(f->linktype() == desc.at("linktype").get<std::uint32_t>(), name + ": link type differs");
    std::size_t skipped = 0;
    const auto dgrams = f->udp_datagrams(&skipped);
    ctx.check(dgrams.size() == desc.at("datagrams").get<std::size_t>(), name + ": datagram count differs");
    ctx.check(skipped == desc.at("frames_skipped").get<std::size_t>(), name + ": skipped frame count differs");
    if (!ctx.check(dgrams.size() == packets.size(), name + ": not one datagram per recorded packet")) {
        return;
    }
    for (std::size_t i = 0; i < dgrams.size(); ++i) {
        const json& p = packets[i];
        const std::string label = name + " datagram " + std::to_string(i);
        ctx.check(equal(dgrams[i].payload, hex(ctx, p.at("raw"))), label + ": payload differs from packets[].raw");
        ctx.check(endpoint_text(dgrams[i].src_addr, dgrams[i].src_port) == p.at("udp").at("src").get<std::string>() &&
                      endpoint_text(dgrams[i].dst_addr, dgrams[i].dst_port) == p.at("udp").at("dst").get<std::string>(),
                  label + ": UDP endpoints differ");
    }
}

void check_pcap_file_digest(context& ctx, const json& desc) {
    ctx.begin_case();
    const std::string name = desc.at("file").get<std::string>();
    std::ifstream in(ctx.dir / name, std::ios::binary);
    bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ctx.check(content.size() == desc.at("size").get<std::size_t>(), name + ": size differs");
    ctx.check(to_hex(crypto::sha256(content)) == desc.at("sha256").get<std::string>(), name + ": sha256 differs");
}

// A packet the transport node sent, rebuilt from the one it came from (spec §6.4, §6.7, §6.9).
void check_relation(context& ctx, const json& p, const packet_view& out, const capture_state& st,
                    const std::string& label) {
    const json& rel = p.at("relation");
    const std::string kind = rel.at("kind").get<std::string>();
    if (kind == "originated") {
        return;
    }
    const std::size_t from = rel.at("from_index").get<std::size_t>();
    const auto by = st.transport_ids.find(rel.at("by").get<std::string>());
    if (!ctx.check(from < st.raws.size() && by != st.transport_ids.end(), label + ": unknown source")) {
        return;
    }
    const bytes& src = st.raws[from];
    const auto in = parse_packet(src, 0, ifac_bit::ignore);
    if (!ctx.check(static_cast<bool>(in), label + ": source does not parse")) {
        return;
    }
    const auto hops = static_cast<std::uint8_t>(in.packet.hops + 1);
    std::array<std::uint8_t, 1024> buf{};
    std::size_t n = 0;
    if (kind == "rebroadcast" || kind == "path_response") {
        const std::uint8_t c = kind == "rebroadcast" ? rns::ctx::none : rns::ctx::path_response;
        n = write_announce_rebroadcast(src, hops, by->second, c, buf);
    } else if (in.packet.is_header_2() && out.is_header_2()) {
        n = replace_transport(src, hops, take<16>(out.transport_id), buf);
    } else if (in.packet.is_header_2()) {
        n = strip_transport(src, hops, buf);
    } else {
        std::copy(src.begin(), src.end(), buf.begin());
        buf[1] = hops;
        n = src.size();
    }
    byte_view got = byte_view(buf).first(n);
    if (in.packet.flags.type == packet_type::link_request && n == out.raw.size() + 3) {
        got = got.first(out.raw.size()); // MTU signalling removed (spec §6.4)
    }
    ctx.check(equal(got, out.raw), label + ": " + kind + " differs from our rewrite of packet " +
                                       std::to_string(from));
}

void check_decoded(context& ctx, const json& d, const packet_view& p, const capture_state& st,
                   const std::string& label) {
    if (p.flags.type == packet_type::announce) {
        const auto v = validate_announce(p);
        ctx.check(static_cast<bool>(v) == d.at("signature_valid").get<bool>(), label + ": announce verdict differs");
        const auto s = split_announce(p);
        if (ctx.check(static_cast<bool>(s), label + ": announce does not split")) {
            const announce_view& a = s.announce;
            for (const auto& [field, got] : {std::pair{"public_key", a.public_key}, {"name_hash", a.name_hash},
                                             {"random_hash", a.random_hash}, {"ratchet", a.ratchet},
                                             {"app_data", a.app_data}}) {
                ctx.check(equal(got, hex(ctx, d.at(field))), label + ": announce " + field + " differs");
            }
            ctx.check(a.emission_timestamp() == d.at("emission_timestamp").get<std::uint64_t>(),
                      label + ": emission time differs");
        }
    } else if (is_path_request(p)) {
        const auto r = parse_path_request(p.data);
        if (ctx.check(static_cast<bool>(r), label + ": path request does not parse")) {
            ctx.check(equal(r.request.destination_hash, hex(ctx, d.at("requested_destination"))),
                      label + ": requested destination differs");
            ctx.check(equal(r.request.tag, hex(ctx, d.at("tag"))), label + ": tag differs");
        }
    } else if (p.flags.type == packet_type::proof && p.context == rns::ctx::none &&
               d.contains("proves_packet_index")) {
        // Packet proofs (spec §8), also those on a link (explicit form, signed by the link's
        // owner): the proved packet's hash and the destination identity's signature.
        const std::size_t idx = d.at("proves_packet_index").get<std::size_t>();
        if (!ctx.check(idx < st.raws.size(), label + ": proved packet out of range")) {
            return;
        }
        const auto proved = parse_packet(st.raws[idx], 0, ifac_bit::ignore);
        if (!ctx.check(static_cast<bool>(proved), label + ": proved packet does not parse")) {
            return;
        }
        const hash32 h = packet_hash(proved.packet);
        std::string owner = to_hex(proved.packet.destination_hash);
        if (const auto l = st.link_dest.find(owner); l != st.link_dest.end()) {
            owner = l->second;
        }
        if (d.contains("proved_truncated_hash")) {
            ctx.check(equal(p.destination_hash, byte_view(h).first(16)) &&
                          equal(p.destination_hash, hex(ctx, d.at("proved_truncated_hash"))),
                      label + ": proof addressed to another packet");
        } else {
            ctx.check(equal(h, hex(ctx, d.at("proved_packet_hash"))), label + ": proved packet hash differs");
        }
        const auto id = st.by_dest.find(owner);
        if (ctx.check(id != st.by_dest.end(), label + ": no identity for the proved packet's destination")) {
            const bool ok = validate_proof(p.data, h, id->second.ed25519_public()) == proof_error::ok;
            ctx.check(ok == d.at("signature_valid").get<bool>(), label + ": proof verdict differs");
        }
    }
}

void check_capture(context& ctx) {
    const json& doc = ctx.doc;
    const json& packets = doc.at("packets");
    capture_state st;
    for (const auto& [node, v] : doc.at("identities").at("transport_nodes").items()) {
        st.transport_ids[node] = take<16>(hex(ctx, v.at("transport_identity_hash")));
    }
    for (const auto& [key, v] : doc.at("identities").items()) {
        const std::string who = key.substr(0, key.find('_'));
        const std::string secret = who + ".destination_identity";
        if (!v.contains("destination_hash") || !doc.at("secrets").contains(secret)) {
            continue;
        }
        auto id = identity::from_private_key(hex(ctx, doc.at("secrets").at(secret)));
        if (ctx.check(id && equal(id->hash(), hex(ctx, v.at("identity_hash"))), key + ": identity differs")) {
            st.by_dest.emplace(v.at("destination_hash").get<std::string>(), std::move(*id));
        }
    }
    for (const auto& p : packets) {
        st.raws.push_back(hex(ctx, p.at("raw")));
        if (p.at("decoded").contains("link_id")) {
            const auto lr = parse_packet(st.raws.back(), 0, ifac_bit::ignore);
            if (lr) {
                st.link_dest[p.at("decoded").at("link_id").get<std::string>()] = to_hex(lr.packet.destination_hash);
            }
        }
    }
    check_pcap_file_digest(ctx, doc.at("pcap"));
    check_pcap(ctx, doc.at("pcap"), packets);

    std::map<std::string, int> counts;
    for (std::size_t i = 0; i < packets.size(); ++i) {
        const json& p = packets[i];
        ctx.begin_case();
        const std::string label = "packets[" + std::to_string(i) + "] " + p.at("rns_type").get<std::string>();
        json pj = {{"raw", p.at("raw")}, {"parsed", p.at("parsed")}};
        auto raw = check_packet_json(ctx, pj, label);
        if (!raw) {
            continue;
        }
        const packet_view pv = parse_packet(*raw, 0, ifac_bit::ignore).packet;
        ctx.check(raw->size() == p.at("length").get<std::size_t>(), label + ": length differs");
        ctx.check(rns_type(pv) == p.at("rns_type").get<std::string>(), label + ": rns_type differs");
        ++counts[p.at("hop").get<std::string>() + " " + rns_type(pv)];
        check_relation(ctx, p, pv, st, label);
        check_decoded(ctx, p.at("decoded"), pv, st, label);
    }
    ctx.begin_case();
    std::map<std::string, int> want;
    for (const auto& [k, v] : doc.at("counts").items()) {
        want[k] = v.get<int>();
    }
    ctx.check(counts == want, "per-hop packet type counts differ");
}

} // namespace

RNS_CONFORMANCE_CHECKER("capture_*.json", check_capture);

} // namespace rns::conformance
