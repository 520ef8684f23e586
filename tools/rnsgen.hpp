#pragma once
// rnsgen's shared pieces (tools/bench/run forward; see rnsgen.cpp for the command line): the options,
// the port (UDP/IPv4 frames to the router and back) and the generator's state across phases.
#include "router/rns/bytes.hpp"
#include "router/rns/identity.hpp"

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <optional>
#include <vector>

namespace rnsgen {

struct options {
    std::string phase = "both";          ///< setup | traffic | both
    std::vector<std::string> mixes{"data"};
    std::vector<unsigned> payloads{64};
    std::uint32_t router = 0;
    std::uint32_t self = 0;
    std::uint16_t udp = 4242;
    unsigned paths = 100000;
    unsigned links = 20000;
    unsigned proof_batch = 100000;
    double seconds = 5;
    double rate = 5000;                  ///< first-round announce / link request rate
    double setup_timeout = 240;          ///< bound on the announce phase (and on the link phase)
    rns::hash16 transport_id{};
    /// --dest: traffic to this one destination (announced elsewhere, e.g. by a TCP peer of the
    /// router) instead of rnsgen's own; what comes back is then not counted here.
    std::optional<rns::hash16> dest;
    // Announce phases (rnsgen_announce.cpp).
    double flood_rate = 40000;           ///< unique announces offered per second (mix announce)
    double dup_rate = 0;                 ///< duplicates offered per second; 0: as fast as the port takes
    unsigned dup_set = 16384;            ///< duplicates are copies of this many validated announces
    double announce_rate = 20000;        ///< announces per second under data (mix data_announce)
    double data_rate = 0;                ///< data packets per second there; 0: half the data mix's rx_pps
    std::string telemetry;               ///< the router's DPDK telemetry socket (counter samples)
};

[[nodiscard]] options parse_options(int argc, char** argv);

/// Seconds since an arbitrary origin (TSC).
[[nodiscard]] inline double now_s() noexcept {
    return static_cast<double>(rte_rdtsc()) / static_cast<double>(rte_get_tsc_hz());
}

/// Packet type (spec §4.1 bits 1-0) and destination (§4.2) of a raw RNS packet.
[[nodiscard]] inline unsigned type_of(rns::byte_view raw) noexcept { return raw[0] & 0x03U; }
[[nodiscard]] inline const std::uint8_t* dest_of(rns::byte_view raw) noexcept {
    return raw.data() + ((raw[0] & 0x40U) != 0 ? 18 : 2);
}
[[nodiscard]] inline std::uint8_t context_of(rns::byte_view raw) noexcept {
    return raw[(raw[0] & 0x40U) != 0 ? 34 : 18];
}

/// Port 0 (e.g. net_memif) facing the device under test. Frames go to the Ethernet broadcast
/// address (the router accepts them; no ARP needed) as UDP/IPv4 from self to router.
class port_io {
  public:
    port_io(const options& o, rte_mempool* pool, std::uint16_t port);

    /// A fresh mbuf holding Ethernet / IPv4 / UDP / raw; nullptr when the pool is empty.
    [[nodiscard]] rte_mbuf* frame(const std::uint8_t* raw, std::size_t len) const noexcept;
    /// Sends one packet, waiting (bounded, polling rx through on_rx) while the TX ring is full.
    template <typename F> bool send(rns::byte_view raw, F&& on_rx) {
        rte_mbuf* m = frame(raw.data(), raw.size());
        for (int tries = 0; m != nullptr && tries < 100000; ++tries) {
            if (rte_eth_tx_burst(_port, 0, &m, 1) == 1) {
                return true;
            }
            poll(on_rx);
        }
        if (m != nullptr) {
            rte_pktmbuf_free(m);
        }
        return false;
    }
    /// Transmits what the ring takes of frames[0..n), frees the rest; returns the number sent.
    unsigned send_burst(rte_mbuf** frames, unsigned n) noexcept {
        const std::uint16_t tx = rte_eth_tx_burst(_port, 0, frames, static_cast<std::uint16_t>(n));
        rte_pktmbuf_free_bulk(frames + tx, n - tx);
        return tx;
    }
    /// Receives one burst and calls on_rx(byte_view rns_packet) for each UDP/IPv4 frame whose
    /// payload is long enough to be an RNS packet (19 bytes, spec §4.2). Returns frames received.
    template <typename F> unsigned poll(F&& on_rx) {
        rte_mbuf* rx[64];
        const std::uint16_t n = rte_eth_rx_burst(_port, 0, rx, 64);
        for (std::uint16_t i = 0; i < n; ++i) {
            const rns::byte_view p = rns_payload(rx[i]);
            if (p.size() >= 19) {
                on_rx(p);
            }
        }
        rte_pktmbuf_free_bulk(rx, n);
        return n;
    }

  private:
    static rns::byte_view rns_payload(const rte_mbuf* m) noexcept;

    const options& _o;
    rte_mempool* _pool;
    std::uint16_t _port;
    rte_ether_addr _mac{};
};

struct hash16_hasher {
    std::size_t operator()(const rns::hash16& h) const noexcept {
        std::size_t v = 0;
        std::memcpy(&v, h.data(), sizeof v);
        return v;
    }
};
using hash_index = std::unordered_map<rns::hash16, std::uint32_t, hash16_hasher>;

/// What the set-up phases leave for the measured ones.
struct state {
    rns::identity id = rns::identity::generate(); ///< every destination's identity
    std::vector<rns::hash16> dests;               ///< announced destinations
    std::vector<rns::hash16> links;               ///< established link ids
    std::uint64_t counter = 0;                    ///< makes every measured packet unique (dedup, §6.3)
    double data_rx_pps = 0;                       ///< the last data mix's forwarded rate
    std::vector<rns::bytes> validated;            ///< flood announces the router rebroadcast
};

/// Announces every destination until the router's rebroadcast of each came back (or the timeout).
void announce_all(const options& o, port_io& io, state& s);
/// Establishes o.links links through the router (link request out, LRPROOF back, spec §6.10).
void establish_links(const options& o, port_io& io, state& s);

struct result {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    double seconds = 0;
};
/// The measured traffic of one mix ("data", "link", "proof") at one payload size.
[[nodiscard]] result measure(const options& o, port_io& io, state& s, const std::string& mix,
                             unsigned payload);

/// HEADER_2 DATA to the router (o.transport_id) with `payload` bytes; the destination goes at
/// byte 18, a counter at the start of the payload (spec §4.2).
[[nodiscard]] std::vector<std::uint8_t> data_template(const options& o, unsigned payload);

/// The announce mixes (rnsgen_announce.cpp): "announce", "duplicate", "data_announce". Each
/// prints its own result lines.
void measure_announces(const options& o, port_io& io, state& s, const std::string& mix);

} // namespace rnsgen
