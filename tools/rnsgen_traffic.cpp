// rnsgen's measured phases (rnsgen.hpp): one mix at one payload size.
//
//  data:  HEADER_2 DATA (context NONE) to the router's transport id for the announced
//         destinations, round robin, as fast as the port takes them, for --seconds. The router
//         forwards them by its path table (spec §6.4; one hop: stripped to HEADER_1). Counts the
//         DATA packets that come back.
//  link:  HEADER_1 DATA to the established link ids, round robin (spec §6.5), for --seconds.
//  proof: cycles of a warm-up of --proof-batch HEADER_2 DATA packets (not measured) and then one
//         PROOF for each of them that came back (HEADER_1, destination = its truncated packet
//         hash, spec §8), which the router forwards by the reverse entry the DATA packet left
//         (spec §6.11; each entry serves one proof). Only the proof bursts are timed, from the
//         first proof sent to the last one back, until they add up to --seconds. Transit nodes
//         do not check proof signatures, so the proof data is filler of the payload size (a
//         real implicit proof is 64 bytes, spec §8).
// Every packet carries a counter in its first 8 payload bytes, so each has its own hash and
// passes the duplicate filter (spec §6.3). The rest of the payload is filler.
#include "tools/rnsgen.hpp"

#include "router/rns/packet.hpp"

#include <cstdio>

namespace rnsgen {

namespace {

constexpr unsigned burst = 32;

struct template_packet {
    std::vector<std::uint8_t> bytes;
    std::size_t dest_at = 0;
    std::size_t counter_at = 0;
};

/// HEADER_2 DATA to the router for a destination (spec §4.2).
template_packet data_packet(const options& o, unsigned payload) {
    return {data_template(o, payload), 18, rns::header_maxsize};
}

/// HEADER_1 DATA to a link (destination type LINK, spec §4.1).
template_packet link_packet(unsigned payload) {
    template_packet t{std::vector<std::uint8_t>(rns::header_minsize + payload, 0x5a), 2, rns::header_minsize};
    t.bytes[0] = 0x0c;
    t.bytes[1] = 0;
    t.bytes[18] = rns::ctx::none;
    return t;
}

/// Sends round robin over targets for `seconds`, counting returned packets of `type`.
result steady(const options& o, port_io& io, state& s, template_packet t,
              const std::vector<rns::hash16>& targets, unsigned type) {
    result r;
    auto on_rx = [&](rns::byte_view p) {
        if (type_of(p) == type) {
            ++r.received;
        }
    };
    const double start = now_s();
    const double end = start + o.seconds;
    rte_mbuf* frames[burst];
    std::uint64_t k = 0;
    while (now_s() < end) {
        unsigned n = 0;
        for (; n < burst; ++n) {
            std::memcpy(&t.bytes[t.dest_at], targets[k % targets.size()].data(), 16);
            std::memcpy(&t.bytes[t.counter_at], &s.counter, sizeof s.counter);
            frames[n] = io.frame(t.bytes.data(), t.bytes.size());
            if (frames[n] == nullptr) {
                break;
            }
            ++k;
            ++s.counter;
        }
        r.sent += io.send_burst(frames, n);
        // Bounded, so that the window ends on time whatever the receive side does.
        for (int i = 0; i < 16 && io.poll(on_rx) != 0; ++i) {
        }
    }
    r.seconds = now_s() - start;
    // Stragglers still in the rings belong to the measured interval's traffic.
    const double tail = now_s() + 0.2;
    while (now_s() < tail) {
        (void)io.poll(on_rx);
    }
    return r;
}

/// Sends the packets (concatenated, each `size` bytes) as fast as the port takes them, calling
/// on_rx meanwhile; then reads on until nothing arrived for `quiet` seconds (generous: on a shared
/// machine the router may be off its CPU for tens of ms). Returns the time of the last packet of
/// interest received (reported through on_rx's return value), so the wait is not timed.
template <typename F>
double blast(port_io& io, const std::vector<std::uint8_t>& packets, std::size_t size, double quiet, F&& on_rx) {
    double last = now_s();
    auto rx = [&](rns::byte_view p) {
        if (on_rx(p)) {
            last = now_s();
        }
    };
    rte_mbuf* frames[burst];
    const std::size_t count = packets.size() / size;
    for (std::size_t i = 0; i < count;) {
        unsigned n = 0;
        for (; n < burst && i + n < count; ++n) {
            frames[n] = io.frame(&packets[(i + n) * size], size);
            if (frames[n] == nullptr) {
                break;
            }
        }
        i += io.send_burst(frames, n);
        for (int j = 0; j < 16 && io.poll(rx) != 0; ++j) {
        }
    }
    const double sent_end = now_s();
    while (now_s() - std::max(last, sent_end) < quiet && now_s() - sent_end < 10) {
        (void)io.poll(rx);
    }
    return last;
}

result proofs(const options& o, port_io& io, state& s, unsigned payload) {
    result r;
    template_packet data = data_packet(o, payload);
    const std::size_t psize = rns::header_minsize + payload;
    std::vector<std::uint8_t> warm;
    std::vector<std::uint8_t> proof_packets;
    std::uint64_t k = 0;
    const double give_up = now_s() + 10 * o.seconds + 60;
    while (r.seconds < o.seconds && now_s() < give_up) {
        warm.clear();
        for (unsigned i = 0; i < o.proof_batch; ++i, ++k, ++s.counter) {
            std::memcpy(&data.bytes[data.dest_at], s.dests[k % s.dests.size()].data(), 16);
            std::memcpy(&data.bytes[data.counter_at], &s.counter, sizeof s.counter);
            warm.insert(warm.end(), data.bytes.begin(), data.bytes.end());
        }
        // Warm-up: each DATA packet the router forwarded left a reverse entry; prove those.
        proof_packets.clear();
        (void)blast(io, warm, data.bytes.size(), 0.2, [&](rns::byte_view p) {
            const auto parsed = rns::parse_packet(p);
            if (!parsed || type_of(p) != 0) {
                return false;
            }
            const rns::hash32 h = rns::packet_hash(parsed.packet);
            const std::size_t at = proof_packets.size();
            proof_packets.resize(at + psize, 0x5a);
            proof_packets[at] = 0x03; // HEADER_1, BROADCAST, SINGLE, PROOF (spec §8)
            proof_packets[at + 1] = 0;
            std::memcpy(&proof_packets[at + 2], h.data(), 16);
            proof_packets[at + 18] = rns::ctx::none;
            std::memcpy(&proof_packets[at + 19], &s.counter, sizeof s.counter);
            ++s.counter;
            return true;
        });
        // Let the data packets drain out of the router before the proofs follow.
        const double settle = now_s() + 0.5;
        while (now_s() < settle) {
            (void)io.poll([](rns::byte_view) {});
        }
        const double t0 = now_s();
        std::uint64_t got = 0;
        const double last = blast(io, proof_packets, psize, 0.2, [&](rns::byte_view p) {
            if (type_of(p) == 3) {
                ++got;
                return true;
            }
            return false;
        });
        r.sent += proof_packets.size() / psize;
        r.received += got;
        r.seconds += got > 0 ? last - t0 : 0;
        if (got == 0) {
            std::fprintf(stderr, "rnsgen: proof cycle: none of %zu proofs came back\n", proof_packets.size() / psize);
            break;
        }
    }
    return r;
}

} // namespace

std::vector<std::uint8_t> data_template(const options& o, unsigned payload) {
    std::vector<std::uint8_t> b(rns::header_maxsize + payload, 0x5a);
    b[0] = 0x50; // HEADER_2, TRANSPORT, SINGLE, DATA (spec §4.1)
    b[1] = 0;
    std::memcpy(&b[2], o.transport_id.data(), 16);
    b[34] = rns::ctx::none;
    return b;
}

result measure(const options& o, port_io& io, state& s, const std::string& mix, unsigned payload) {
    if (mix == "data") {
        return steady(o, io, s, data_packet(o, payload), s.dests, 0);
    }
    if (mix == "link") {
        if (s.links.empty()) {
            std::fprintf(stderr, "rnsgen: no links established, nothing to measure\n");
            return {};
        }
        return steady(o, io, s, link_packet(payload), s.links, 0);
    }
    return proofs(o, io, s, payload);
}

} // namespace rnsgen
