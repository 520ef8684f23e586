// rnsgen's set-up phases: fill the router's path table (announces) and link table (link requests
// and their proofs), each confirmed by what the router sends back, and retried until complete.
//
// Flow control: the router hands announces, link requests and LRPROOFs to its control plane
// through a punt ring (4096 packets) and drops what does not fit, and the control plane costs
// ~75 µs per Ed25519 verification. So at most `window` items are in flight (sent, not yet
// confirmed, younger than `timeout`), at most --rate are sent per second, and what was not
// confirmed is sent again (fresh: new random blob / new link request) in the next round, until
// everything is confirmed or --setup-timeout passes.
#include "tools/rnsgen.hpp"

#include "crypto/random.hpp"
#include "crypto/x25519.hpp"
#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/link_handshake.hpp"
#include "router/rns/packet.hpp"

#include <chrono>
#include <cstdio>
#include <deque>

namespace rnsgen {

namespace {

/// Items 0..n-1, each idle, in flight or confirmed; in-flight ones expire after the timeout.
class confirm_window {
  public:
    confirm_window(std::size_t n, unsigned cap, double timeout) : _st(n, idle), _cap(cap), _timeout(timeout) {}

    [[nodiscard]] bool has_room() const noexcept { return _outstanding < _cap; }
    [[nodiscard]] bool confirmed(std::uint32_t i) const noexcept { return _st[i] == done; }
    [[nodiscard]] bool in_flight(std::uint32_t i) const noexcept { return _st[i] == flying; }
    [[nodiscard]] std::size_t done_count() const noexcept { return _done; }
    [[nodiscard]] std::size_t size() const noexcept { return _st.size(); }
    [[nodiscard]] unsigned outstanding() const noexcept { return _outstanding; }

    void sent(std::uint32_t i, double now) {
        _st[i] = flying;
        ++_outstanding;
        _fifo.push_back({i, now});
    }
    /// Returns true the first time i is confirmed (late confirmations of expired items count).
    bool confirm(std::uint32_t i) noexcept {
        if (_st[i] == done) {
            return false;
        }
        if (_st[i] == flying) {
            --_outstanding;
        }
        _st[i] = done;
        ++_done;
        return true;
    }
    void expire(double now) {
        while (!_fifo.empty()) {
            const auto [i, t] = _fifo.front();
            if (_st[i] == flying && now - t < _timeout) {
                return;
            }
            if (_st[i] == flying) {
                _st[i] = lost;
                --_outstanding;
            }
            _fifo.pop_front();
        }
    }
    /// Items to (re)send in the next round. Only called with nothing in flight.
    [[nodiscard]] std::vector<std::uint32_t> pending() {
        _fifo.clear();
        std::vector<std::uint32_t> out;
        for (std::uint32_t i = 0; i < _st.size(); ++i) {
            if (_st[i] != done) {
                out.push_back(i);
            }
        }
        return out;
    }

  private:
    enum state_t : std::uint8_t { idle, flying, lost, done };
    std::vector<std::uint8_t> _st;
    std::deque<std::pair<std::uint32_t, double>> _fifo;
    unsigned _outstanding = 0;
    unsigned _cap;
    double _timeout;
    std::size_t _done = 0;
};

/// Sends send(i) for every pending item, round after round, paced by rate and the window, polling
/// on_rx (and calling idle) meanwhile; ends when all are confirmed or at the deadline. Returns
/// (rounds, sends).
template <typename Send, typename OnRx, typename Idle>
std::pair<unsigned, std::uint64_t> run_rounds(const options& o, port_io& io, confirm_window& w, double deadline,
                                              Send&& send, OnRx&& on_rx, Idle&& idle) {
    unsigned rounds = 0;
    std::uint64_t sends = 0;
    while (w.done_count() < w.size() && now_s() < deadline) {
        ++rounds;
        double next = now_s();
        for (const std::uint32_t i : w.pending()) {
            if (w.confirmed(i)) {
                continue; // a late confirmation arrived since the list was made
            }
            for (;;) {
                const double now = now_s();
                w.expire(now);
                if ((now >= next && w.has_room()) || now >= deadline) {
                    break;
                }
                io.poll(on_rx);
                idle();
            }
            if (now_s() >= deadline) {
                break;
            }
            next = std::max(next + 1.0 / o.rate, now_s() - 0.01);
            send(i);
            ++sends;
        }
        // Everything of this round confirmed or expired before the next round.
        while (w.outstanding() > 0 && now_s() < deadline) {
            io.poll(on_rx);
            idle();
            w.expire(now_s());
        }
        std::fprintf(stderr, "rnsgen: round %u: %zu of %zu confirmed, %llu sent so far\n", rounds, w.done_count(),
                     w.size(), static_cast<unsigned long long>(sends));
    }
    return {rounds, sends};
}

/// Reads on until nothing of the given packet type arrived for `quiet` seconds (at most `limit`).
void drain_quiet(port_io& io, unsigned type, double quiet, double limit) {
    const double start = now_s();
    double last = start;
    while (now_s() - last < quiet && now_s() - start < limit) {
        io.poll([&](rns::byte_view p) {
            if (type_of(p) == type) {
                last = now_s();
            }
        });
    }
}

} // namespace

void announce_all(const options& o, port_io& io, state& s) {
    std::vector<rns::hash10> names(o.paths);
    s.dests.resize(o.paths);
    hash_index index;
    index.reserve(o.paths * 2);
    for (std::uint32_t i = 0; i < o.paths; ++i) {
        names[i] = rns::name_hash("rnsbench", {"dest", std::to_string(i)});
        s.dests[i] = rns::destination_hash(names[i], s.id.hash());
        index.emplace(s.dests[i], i);
    }
    // The router rebroadcasts every announce it accepts (spec §6.7) on all interfaces, so to us
    // too (HEADER_2 ANNOUNCE from its transport id): that is the confirmation.
    confirm_window w(o.paths, 4000, 10.0);
    auto on_rx = [&](rns::byte_view p) {
        if (type_of(p) != 1 || p.size() < rns::header_maxsize) {
            return;
        }
        rns::hash16 d;
        std::memcpy(d.data(), dest_of(p), d.size());
        if (const auto it = index.find(d); it != index.end()) {
            (void)w.confirm(it->second);
        }
    };
    auto send = [&](std::uint32_t i) {
        const auto unix_now = static_cast<std::uint64_t>(
            std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
        rns::announce_params ap;
        ap.name_hash = names[i];
        // A fresh blob each time: a re-announce in a later second is newer than any copy the
        // router may have accepted without us hearing its rebroadcast (spec §6.6 step 5).
        ap.random = rns::make_random_hash(unix_now);
        const rns::bytes a = rns::build_announce(s.id, ap);
        w.sent(i, now_s());
        (void)io.send(a, on_rx);
    };
    const double start = now_s();
    const auto [rounds, sends] = run_rounds(o, io, w, start + o.setup_timeout, send, on_rx, [] {});
    std::printf("rnsgen: announces confirmed %zu of %u in %.1f s (%u rounds, %llu announces sent)\n",
                w.done_count(), o.paths, now_s() - start, rounds, static_cast<unsigned long long>(sends));
    std::fflush(stdout);
    // The router sends each announce once more ~5.5-7 s later (spec §6.7): let that finish
    // before anything is measured.
    drain_quiet(io, 1, 1.5, 10.0);
}

void establish_links(const options& o, port_io& io, state& s) {
    const unsigned n = std::min(o.links, static_cast<unsigned>(s.dests.size()));
    std::vector<rns::hash16> ids(n);
    std::vector<std::uint8_t> proved(n, 0); // LRPROOF sent for the current request
    hash_index index;
    index.reserve(n * 4);
    // The responder's ephemeral X25519 key (spec §7.2); the router only checks the signature.
    const rns::crypto::x25519_public responder =
        rns::crypto::x25519_public_from_private(rns::crypto::random_array<32>());
    const auto sig = rns::link::signalling_bytes(500, rns::link::default_mode);
    confirm_window w(n, 1000, 4.0);
    std::vector<rns::bytes> outbox;
    auto on_rx = [&](rns::byte_view p) {
        const unsigned type = type_of(p);
        if (type == 2) {
            // Our link request, forwarded (stripped to HEADER_1, spec §6.4): we are also the
            // destination's side, so answer with the LRPROOF signed by its identity (§7.2).
            const auto r = rns::parse_packet(p);
            if (!r) {
                return;
            }
            const rns::hash16 id = rns::link::link_id_of(r.packet);
            const auto it = index.find(id);
            if (it == index.end() || ids[it->second] != id || !w.in_flight(it->second) || proved[it->second]) {
                return;
            }
            proved[it->second] = 1;
            // Sent from the polling loop (idle below): this callback runs inside port_io::poll.
            outbox.push_back(rns::link::build_proof_packet(id, rns::link::build_proof_data(s.id, id, responder, *sig)));
        } else if (type == 3 && context_of(p) == rns::ctx::lrproof) {
            // The LRPROOF forwarded back to the initiator's side: the link is up (spec §6.10).
            rns::hash16 id;
            std::memcpy(id.data(), dest_of(p), id.size());
            const auto it = index.find(id);
            if (it != index.end() && ids[it->second] == id && proved[it->second]) {
                (void)w.confirm(it->second);
            }
        }
    };
    rns::bytes lr(rns::header_maxsize + rns::link::request_size_plain);
    lr[0] = 0x52; // HEADER_2, TRANSPORT, SINGLE, LINKREQUEST (spec §4.1)
    lr[1] = 0;
    std::memcpy(&lr[2], o.transport_id.data(), 16);
    lr[34] = rns::ctx::none;
    auto send = [&](std::uint32_t i) {
        // A fresh request each time (new initiator keys: new link id, spec §7.1). Random bytes
        // stand in for the initiator's ephemeral keys: transport nodes never use them.
        std::memcpy(&lr[18], s.dests[i].data(), 16);
        rns::crypto::random_fill(std::span(lr).subspan(35));
        const auto r = rns::parse_packet(lr);
        ids[i] = rns::link::link_id_of(r.packet);
        index[ids[i]] = i;
        proved[i] = 0;
        w.sent(i, now_s());
        (void)io.send(lr, on_rx);
    };
    const double start = now_s();
    auto flush = [&] {
        for (std::size_t i = 0; i < outbox.size(); ++i) {
            (void)io.send(outbox[i], on_rx); // may append to outbox
        }
        outbox.clear();
    };
    const auto [rounds, sends] = run_rounds(o, io, w, start + o.setup_timeout, send, on_rx, flush);
    s.links.clear();
    for (std::uint32_t i = 0; i < n; ++i) {
        if (w.confirmed(i)) {
            s.links.push_back(ids[i]);
        }
    }
    std::printf("rnsgen: links established %zu of %u in %.1f s (%u rounds, %llu link requests sent)\n",
                s.links.size(), n, now_s() - start, rounds, static_cast<unsigned long long>(sends));
    std::fflush(stdout);
}

} // namespace rnsgen
