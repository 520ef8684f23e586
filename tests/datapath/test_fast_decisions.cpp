// The per-packet decisions of dedup, forward, link_forward and proof_forward
// (router/datapath/fast_decisions.hpp), table-driven over hand-built mbufs: packet and table state
// in, the edge, the bytes and the table state out, each expectation written from the spec's rules
// (§6.2 step 6, §6.3, §6.4, §6.5, §6.11), not from the code.

#include "fake_mbuf.hpp"

#include "crypto/sha256.hpp"
#include "router/datapath/fast_decisions.hpp"
#include "router/datapath/packet_hash_table.hpp"
#include "router/rns/packet.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

using namespace rns;
using namespace rns::datapath;
using rns::datapath::test::fake_mbuf;

namespace {

constexpr std::uint32_t now = 1'800'000'000;
constexpr unsigned who = 0;

struct table_fixture {
    table_fixture()
        : mem(::operator new(packet_hash_table::bytes_for(1 << 12), std::align_val_t{64})),
          t(mem, 1 << 12, 500'000, 2) {}
    ~table_fixture() { ::operator delete(mem, std::align_val_t{64}); }
    table_fixture(const table_fixture&) = delete;
    table_fixture& operator=(const table_fixture&) = delete;
    void* mem;
    packet_hash_table t;
};

hash16 h16(std::uint8_t fill) {
    hash16 h;
    h.fill(fill);
    return h;
}

/// spec §4.1 flag byte.
std::uint8_t flag_byte(bool header2, std::uint8_t dest_type, std::uint8_t type) {
    return static_cast<std::uint8_t>((header2 ? 0x40 : 0) | (header2 ? 0x10 : 0) | dest_type << 2 | type);
}

/// A packet as rns_parse and packet_hash leave it: bytes, and priv fields (hops already +1).
struct packet {
    bytes raw;
    std::uint8_t flags = 0;
    std::uint8_t hops_in = 0; ///< hop byte on the wire
    std::uint8_t context = 0;
};

packet header1(std::uint8_t dest_type, std::uint8_t type, const hash16& dest, std::uint8_t context,
               std::uint8_t hops = 0, std::size_t payload = 24) {
    packet p;
    p.flags = flag_byte(false, dest_type, type);
    p.hops_in = hops;
    p.context = context;
    p.raw = {p.flags, hops};
    p.raw.insert(p.raw.end(), dest.begin(), dest.end());
    p.raw.push_back(context);
    for (std::size_t i = 0; i < payload; ++i) {
        p.raw.push_back(static_cast<std::uint8_t>(i * 7 + dest[0]));
    }
    return p;
}

packet header2(const hash16& transport_id, const hash16& dest, std::uint8_t hops = 1) {
    packet p;
    p.flags = flag_byte(true, 0 /*SINGLE*/, 0 /*DATA*/);
    p.hops_in = hops;
    p.raw = {p.flags, hops};
    p.raw.insert(p.raw.end(), transport_id.begin(), transport_id.end());
    p.raw.insert(p.raw.end(), dest.begin(), dest.end());
    p.raw.push_back(0);
    for (std::size_t i = 0; i < 30; ++i) {
        p.raw.push_back(static_cast<std::uint8_t>(0xa0 + i));
    }
    return p;
}

/// Loads p into m's private area like rns_parse / packet_hash: hops + 1 (spec §6.2 step 4) and
/// the spec §4.5 hash.
void prime(fake_mbuf& m, const packet& p, std::uint16_t in_iface) {
    pkt_priv& pp = priv(m.get());
    pp.in_iface = in_iface;
    pp.flags = p.flags;
    pp.hops = static_cast<std::uint8_t>(p.hops_in + 1);
    pp.context = p.context;
    auto parsed = parse_packet(p.raw);
    REQUIRE(parsed);
    pp.hash = packet_hash(parsed.packet);
}

constexpr std::uint8_t single = 0, group = 1, plain = 2, link_dt = 3;
constexpr std::uint8_t data = 0, announce = 1, proof = 3;

} // namespace

TEST_CASE("dedup: spec §6.3 rules and §6.2 step 6, one row per rule") {
    struct row {
        const char* name;
        std::uint8_t dest_type, type, context, hops_in;
        bool link_destination, seen_before;
        dedup_edge expected;
        bool remembered_after;
    };
    const std::vector<row> rows = {
        {"SINGLE data, new: accepted and remembered", single, data, ctx::none, 0, false, false, dedup_edge::classify, true},
        {"SINGLE data, seen: duplicate (rule 6)", single, data, ctx::none, 0, false, true, dedup_edge::drop_duplicate, true},
        {"SINGLE announce, seen: accepted (rule 6 exception)", single, announce, ctx::none, 0, false, true, dedup_edge::classify, true},
        {"PLAIN data heard directly: accepted, remembered", plain, data, ctx::none, 0, false, false, dedup_edge::classify, true},
        {"PLAIN data, seen, heard directly: no duplicate check (rule 3)", plain, data, ctx::none, 0, false, true, dedup_edge::classify, true},
        {"PLAIN data over two hops: dropped (rule 3)", plain, data, ctx::none, 1, false, false, dedup_edge::drop_plain_group_hops, false},
        {"PLAIN announce: dropped (rule 3)", plain, announce, ctx::none, 0, false, false, dedup_edge::drop_plain_group_hops, false},
        {"GROUP data over two hops: dropped (rule 4)", group, data, ctx::none, 1, false, false, dedup_edge::drop_plain_group_hops, false},
        {"KEEPALIVE, seen: bypasses the check (rule 2)", link_dt, data, ctx::keepalive, 0, false, true, dedup_edge::classify, true},
        {"RESOURCE, seen: bypasses the check (rule 2)", single, data, ctx::resource, 0, false, true, dedup_edge::classify, true},
        {"link-table destination, new: accepted, not remembered yet (step 6)", link_dt, data, ctx::none, 0, true, false, dedup_edge::classify, false},
        {"link-table destination, seen: duplicate", link_dt, data, ctx::none, 0, true, true, dedup_edge::drop_duplicate, true},
        {"LRPROOF, new: accepted, never remembered in transit (step 6)", link_dt, proof, ctx::lrproof, 0, false, false, dedup_edge::classify, false},
    };
    for (const row& r : rows) {
        CAPTURE(r.name);
        table_fixture f;
        const packet p = header1(r.dest_type, r.type, h16(0x42), r.context, r.hops_in);
        fake_mbuf m(p.raw);
        prime(m, p, 1);
        const hash32 h = priv(m.get()).hash;
        if (r.seen_before) {
            REQUIRE(f.t.insert(h.data(), now, 1));
        }
        CHECK(filter_packet(f.t, m.get(), r.link_destination, now, who) == r.expected);
        CHECK(f.t.contains(h.data()) == r.remembered_after);
        CHECK(m.data() == p.raw); // dedup never touches the bytes
    }
}

TEST_CASE("forward: spec §6.4 rewrite by remaining hops, reverse entry before transmission, path use") {
    const hash16 transport_id = h16(0x11);
    const hash16 dest = h16(0x22);
    const hash16 next_hop = h16(0x33);
    struct row {
        const char* name;
        std::uint8_t remaining;
    };
    for (const row& r : {row{"remaining > 1: transport id replaced", 3}, row{"remaining == 1: stripped to HEADER_1", 1},
                         row{"remaining == 0: local client, hop byte only", 0}}) {
        CAPTURE(r.name);
        table_fixture f;
        const packet p = header2(transport_id, dest, 4);
        fake_mbuf m(p.raw);
        prime(m, p, 2);
        forward_table::slot at; // where the entry lives (its "last used" second)
        pkt_priv& pp = priv(m.get());
        pp.route.has = forward_table::has_path;
        pp.route.path = {next_hop, r.remaining, 7};
        pp.route.at = &at;
        const std::uint8_t h = 5; // 4 on the wire, +1 here

        bytes expected;
        if (r.remaining > 1) {
            expected = {p.raw[0], h};
            expected.insert(expected.end(), next_hop.begin(), next_hop.end());
            expected.insert(expected.end(), p.raw.begin() + 18, p.raw.end());
        } else if (r.remaining == 1) {
            expected = {static_cast<std::uint8_t>(p.raw[0] & 0x0f), h};
            expected.insert(expected.end(), p.raw.begin() + 18, p.raw.end());
        } else {
            expected = p.raw;
            expected[1] = h;
        }
        CHECK(forward_packet(f.t, m.get(), now, who) == forward_edge::l3_output);
        CHECK(m.data() == expected);
        CHECK(priv(m.get()).out_iface == 7);
        // spec §6.4: reverse_table[truncated hash] = [in, out, now]
        const auto rev = f.t.find_reverse(take<16>(priv(m.get()).hash).data(), now);
        REQUIRE(rev);
        CHECK(rev->received_on == 2);
        CHECK(rev->outbound == 7);
        CHECK(rev->time == now);
        CHECK(at.path_used.second.load() == now); // path.timestamp = now, collected by the control plane
    }
}

TEST_CASE("link_forward: spec §6.5 direction by interface and hop count") {
    struct row {
        const char* name;
        std::uint16_t nh_if, rcvd_if;
        std::uint8_t remaining, taken;
        std::uint16_t in;
        std::uint8_t hops_in; ///< on the wire; the rules compare hops_in + 1
        link_edge expected;
        std::uint16_t out;
    };
    const std::vector<row> rows = {
        {"one interface, hops == remaining", 1, 1, 3, 2, 1, 2, link_edge::l3_output, 1},
        {"one interface, hops == taken", 1, 1, 3, 2, 1, 1, link_edge::l3_output, 1},
        {"one interface, neither", 1, 1, 3, 2, 1, 4, link_edge::drop_link_hops, 0},
        {"from the next hop, hops == remaining: towards the initiator", 1, 2, 3, 2, 1, 2, link_edge::l3_output, 2},
        {"from the initiator side, hops == taken: towards the destination", 1, 2, 3, 2, 2, 1, link_edge::l3_output, 1},
        {"from the next hop with the initiator's hop count", 1, 2, 3, 2, 1, 1, link_edge::drop_link_hops, 0},
        {"from a third interface", 1, 2, 3, 2, 9, 2, link_edge::drop_link_hops, 0},
    };
    for (const row& r : rows) {
        CAPTURE(r.name);
        table_fixture f;
        const packet p = header1(link_dt, data, h16(0x55), ctx::none, r.hops_in);
        fake_mbuf m(p.raw);
        prime(m, p, r.in);
        forward_table::slot at;
        const control::fast_link_entry e{r.nh_if, r.rcvd_if, r.remaining, r.taken, true};
        pkt_priv& pp = priv(m.get());
        pp.route.has = forward_table::has_link;
        pp.route.link = e;
        pp.route.at = &at;
        const hash32 h = priv(m.get()).hash;
        CHECK(link_forward_packet(f.t, m.get(), now, who) == r.expected);
        if (r.expected == link_edge::l3_output) {
            bytes expected = p.raw;
            expected[1] = static_cast<std::uint8_t>(r.hops_in + 1); // raw[0] ‖ hops ‖ raw[2:]
            CHECK(m.data() == expected);
            CHECK(priv(m.get()).out_iface == r.out);
            CHECK(f.t.contains(h.data()));      // remembered when forwarded (spec §6.5)
            CHECK(at.link_used.second.load() == now); // entry timestamp = now
            // The same packet again (e.g. on another worker) is a duplicate.
            fake_mbuf again(p.raw);
            prime(again, p, r.in);
            priv(again.get()).route = pp.route;
            CHECK(link_forward_packet(f.t, again.get(), now, 1) == link_edge::drop_duplicate);
        } else {
            CHECK(m.data() == p.raw);
            CHECK_FALSE(f.t.contains(h.data()));
            CHECK(at.link_used.second.load() == 0);
        }
    }
}

TEST_CASE("proof_forward: spec §6.11 only from the entry's outbound interface") {
    struct row {
        const char* name;
        std::uint16_t in;
        proof_edge expected;
    };
    for (const row& r : {row{"from the outbound interface: back on the received-on one", 6, proof_edge::l3_output},
                         row{"from another interface: dropped", 5, proof_edge::drop_proof_wrong_iface}}) {
        CAPTURE(r.name);
        const packet p = header1(single, proof, h16(0x66), ctx::none, 2, 64);
        fake_mbuf m(p.raw);
        prime(m, p, r.in);
        priv(m.get()).reverse = {4, 6, now};
        CHECK(proof_forward_packet(m.get()) == r.expected);
        if (r.expected == proof_edge::l3_output) {
            bytes expected = p.raw;
            expected[1] = 3;
            CHECK(m.data() == expected);
            CHECK(priv(m.get()).out_iface == 4);
        }
    }
}

TEST_CASE("classify: which table forwards the packet (spec §6.2 steps 8-9, §6.4, §6.5, §6.11)") {
    const hash16 us = h16(0x11);
    const hash16 dest = h16(0x22);
    struct row {
        const char* name;
        bool header2;
        std::uint8_t dest_type, type, context;
        std::uint8_t route_has;   ///< what dedup's lookup found for the destination
        bool reverse_entry;       ///< a reverse entry exists for the destination (proofs)
        classify_edge expected;
        bool reverse_left;        ///< the reverse entry is still there afterwards
    };
    constexpr auto P = forward_table::has_path;
    constexpr auto L = forward_table::has_link;
    const std::vector<row> rows = {
        {"HEADER_2 data with a path: forward", true, single, data, ctx::none, P, false, classify_edge::forward, false},
        {"HEADER_2 data without a path: control (no_path there)", true, single, data, ctx::none, 0, false, classify_edge::punt, false},
        {"announce: control", false, single, announce, ctx::none, P, false, classify_edge::punt, false},
        {"link request: control (link table, MTU)", true, single, 2, ctx::none, P, false, classify_edge::punt, false},
        {"HEADER_1 data to a link id: link_forward", false, link_dt, data, ctx::none, L, false, classify_edge::link_forward, false},
        {"HEADER_1 data, unknown destination: control", false, single, data, ctx::none, 0, false, classify_edge::punt, false},
        {"LRPROOF: control (signature check)", false, link_dt, proof, ctx::lrproof, L, false, classify_edge::punt, false},
        {"proof with a reverse entry: proof_forward, entry taken", false, single, proof, ctx::none, 0, true, classify_edge::proof_forward, false},
        {"proof without one: control", false, single, proof, ctx::none, 0, false, classify_edge::punt, false},
        {"RESOURCE_PRF: never the reverse table", false, single, proof, ctx::resource_prf, 0, true, classify_edge::punt, true},
        {"proof on a link: the link table", false, link_dt, proof, ctx::none, L, true, classify_edge::link_forward, true},
    };
    for (const row& r : rows) {
        CAPTURE(r.name);
        table_fixture f;
        packet p;
        if (r.header2) {
            p = header2(us, dest);
            p.raw[0] = p.flags = static_cast<std::uint8_t>(0x50 | r.dest_type << 2 | r.type);
        } else {
            p = header1(r.dest_type, r.type, dest, r.context);
        }
        fake_mbuf m(p.raw);
        prime(m, p, 3);
        pkt_priv& pp = priv(m.get());
        pp.route.has = r.route_has;
        if (r.reverse_entry) {
            hash32 proved{}; // the packet the proof is for: its truncated hash is dest
            std::memcpy(proved.data(), dest.data(), 16);
            f.t.set_reverse(proved.data(), 1, 3, now, 1);
        }
        CHECK(classify_packet(f.t, m.get(), now, who) == r.expected);
        if (r.expected == classify_edge::proof_forward) {
            CHECK(pp.reverse.received_on == 1);
            CHECK(pp.reverse.outbound == 3);
        }
        if (r.reverse_entry) {
            CHECK(f.t.find_reverse(dest.data(), now).has_value() == r.reverse_left);
        }
        CHECK(m.data() == p.raw);
    }
}
