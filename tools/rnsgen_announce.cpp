// rnsgen's announce mixes (tools/bench/run announces). The router's broadcast interface points back
// here, so it rebroadcasts every announce it accepts (spec §6.7); its DPDK telemetry socket
// (--telemetry) gives the counters the rates are computed from, two samples apart, using the
// time each snapshot was published.
//
//  announce:      unique announces, one per fresh destination (all signed before the clock
//                 starts), offered at --flood-rate for --seconds. Result: announces validated
//                 and stored per second (the router's announces_accepted) and Ed25519
//                 verifications per second, from 1 s after the start to the end of sending.
//                 Offered above what the router verifies, this is its capacity; the surplus is
//                 counted as announce_overload.
//  duplicate:     copies of up to --dup-set announces the router rebroadcast in the announce mix
//                 (so validated and stored), half as sent, half as HEADER_2 rebroadcasts by
//                 another transport node with more hops, offered at --dup-rate (0: as fast as
//                 the port takes) for --seconds. Result: announces processed per second (the
//                 signature step, cached or verified) and how many were verified again.
//  data_announce: HEADER_2 DATA with 64-byte payloads to the set-up destinations at --data-rate
//                 (0: half the data mix's forwarded rate) while unique announces arrive at
//                 --announce-rate. Result: the fraction of the data forwarded, and the announces
//                 the router validated meanwhile.
#include "tools/rnsgen.hpp"

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"

#include <nlohmann/json.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace rnsgen {

namespace {

constexpr unsigned burst = 32;

/// A client of DPDK's telemetry socket (the protocol dpdk-telemetry.py speaks: SOCK_SEQPACKET;
/// the server greets with a JSON object, then answers each command with one JSON message).
class telemetry_client {
  public:
    explicit telemetry_client(const std::string& path) : _fd(::socket(AF_UNIX, SOCK_SEQPACKET, 0)) {
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        if (_fd < 0 || path.size() >= sizeof a.sun_path) {
            throw std::runtime_error("telemetry socket " + path + ": unusable");
        }
        std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
        if (::connect(_fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
            ::close(_fd);
            throw std::runtime_error("cannot connect to the router's telemetry socket " + path);
        }
        (void)receive(); // the greeting
    }
    ~telemetry_client() { ::close(_fd); }
    telemetry_client(const telemetry_client&) = delete;
    telemetry_client& operator=(const telemetry_client&) = delete;

    /// The router's /rns/stats counters.
    [[nodiscard]] nlohmann::json stats() {
        const std::string cmd = "/rns/stats";
        if (::send(_fd, cmd.data(), cmd.size(), 0) != static_cast<ssize_t>(cmd.size())) {
            throw std::runtime_error("telemetry: send failed");
        }
        return nlohmann::json::parse(receive()).at(cmd);
    }

  private:
    std::string receive() {
        std::string buf(1 << 16, '\0');
        const ssize_t n = ::recv(_fd, buf.data(), buf.size(), 0);
        if (n <= 0) {
            throw std::runtime_error("telemetry: the router closed the socket");
        }
        buf.resize(static_cast<std::size_t>(n));
        return buf;
    }

    int _fd;
};

/// Counter c per second between two /rns/stats samples.
double rate(const nlohmann::json& a, const nlohmann::json& b, const char* c) {
    const double dt = (b.at("published_ms").get<double>() - a.at("published_ms").get<double>()) / 1000.0;
    return dt > 0 ? (b.at(c).get<double>() - a.at(c).get<double>()) / dt : 0.0;
}
double delta(const nlohmann::json& a, const nlohmann::json& b, const char* c) {
    return b.at(c).get<double>() - a.at(c).get<double>();
}
double span(const nlohmann::json& a, const nlohmann::json& b) {
    return (b.at("published_ms").get<double>() - a.at("published_ms").get<double>()) / 1000.0;
}

/// n announces of fresh destinations (never announced before in this run), signed now.
std::vector<rns::bytes> make_announces(state& s, unsigned n) {
    static unsigned next_name = 0;
    const auto unix_now = static_cast<std::uint64_t>(
        std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
    const double t0 = now_s();
    std::vector<rns::bytes> out;
    out.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
        rns::announce_params ap;
        ap.name_hash = rns::name_hash("rnsbench", {"flood", std::to_string(next_name++)});
        ap.random = rns::make_random_hash(unix_now);
        out.push_back(rns::build_announce(s.id, ap));
    }
    std::fprintf(stderr, "rnsgen: %u announces signed in %.1f s\n", n, now_s() - t0);
    return out;
}

/// Offers what next(i) yields for i = *pos, *pos + 1, ... (an empty view: nothing more), `rate`
/// per second (0: as fast as the port takes), until `end`, polling on_rx. A frame the port does
/// not take (its ring full: the router is not polling) is dropped here, as a NIC would. Returns
/// the number of frames the port took; *pos ends at the next i.
template <typename Next, typename OnRx>
std::uint64_t paced(port_io& io, double rate, double end, std::size_t* pos, Next&& next, OnRx&& on_rx) {
    const double start = now_s();
    std::uint64_t offered = 0;
    std::uint64_t sent = 0;
    rte_mbuf* frames[burst];
    bool more = true;
    for (double now = start; more && now < end; now = now_s()) {
        const std::uint64_t due = rate > 0 ? static_cast<std::uint64_t>((now - start) * rate) + 1 : offered + burst;
        unsigned n = 0;
        while (n < burst && offered + n < due) {
            const rns::byte_view b = next(*pos);
            if (b.empty()) {
                more = false;
                break;
            }
            frames[n] = io.frame(b.data(), b.size());
            if (frames[n] == nullptr) {
                break; // no mbuf: tried again next round
            }
            ++n;
            ++*pos;
        }
        offered += n;
        sent += io.send_burst(frames, n);
        for (int i = 0; i < 16 && io.poll(on_rx) != 0; ++i) {
        }
    }
    return sent;
}

/// Confirmations: the router's rebroadcasts (HEADER_2 ANNOUNCE) of the announces in `index`.
struct confirmations {
    hash_index index;
    std::vector<std::uint8_t> seen;
    std::uint64_t count = 0;

    explicit confirmations(const std::vector<rns::bytes>& announces) : seen(announces.size(), 0) {
        index.reserve(announces.size() * 2);
        for (std::uint32_t i = 0; i < announces.size(); ++i) {
            rns::hash16 d;
            std::memcpy(d.data(), dest_of(announces[i]), d.size());
            index.emplace(d, i);
        }
    }
    void on_rx(rns::byte_view p) {
        if (type_of(p) != 1 || p.size() < rns::header_maxsize) {
            return;
        }
        rns::hash16 d;
        std::memcpy(d.data(), dest_of(p), d.size());
        if (const auto it = index.find(d); it != index.end() && seen[it->second] == 0) {
            seen[it->second] = 1;
            ++count;
        }
    }
};

/// Reads on until no announce arrived for `quiet` seconds (at most `limit`): the router sends
/// each rebroadcast twice, the second time some seconds later (spec §6.7), and the next mix
/// should not pay for those.
void drain_quiet(port_io& io, double quiet, double limit, confirmations* c) {
    const double start = now_s();
    double last = start;
    while (now_s() - last < quiet && now_s() - start < limit) {
        (void)io.poll([&](rns::byte_view p) {
            if (type_of(p) == 1) {
                last = now_s();
            }
            if (c != nullptr) {
                c->on_rx(p);
            }
        });
    }
}

void unique_flood(const options& o, port_io& io, state& s, telemetry_client& tel) {
    const auto n = static_cast<unsigned>(o.flood_rate * o.seconds) + 1;
    const std::vector<rns::bytes> ann = make_announces(s, n);
    confirmations conf(ann);
    std::size_t k = 0;
    auto next = [&](std::size_t i) { return i < ann.size() ? rns::byte_view(ann[i]) : rns::byte_view(); };
    auto on_rx = [&](rns::byte_view p) { conf.on_rx(p); };
    const double start = now_s();
    std::uint64_t sent = paced(io, o.flood_rate, start + 1.0, &k, next, on_rx);
    const nlohmann::json a = tel.stats();
    sent += paced(io, o.flood_rate, start + o.seconds, &k, next, on_rx);
    const nlohmann::json b = tel.stats();
    const double sending = now_s() - start;
    drain_quiet(io, 1.5, 20.0, &conf);
    const nlohmann::json c = tel.stats();
    std::printf("rnsgen: result mix announce sent_per_s %.0f sent %llu seconds %.3f window %.3f "
                "validated_per_s %.0f verifications_per_s %.0f overload_per_s %.0f "
                "confirmed %llu overload_total %.0f\n",
                static_cast<double>(sent) / sending, static_cast<unsigned long long>(sent), sending, span(a, b),
                rate(a, b, "announces_accepted"), rate(a, b, "announce_verifications"),
                rate(a, b, "announces_overload"), static_cast<unsigned long long>(conf.count),
                c.at("announces_overload").get<double>());
    std::fflush(stdout);
    s.validated.clear();
    for (std::uint32_t i = 0; i < ann.size() && s.validated.size() < o.dup_set; ++i) {
        if (conf.seen[i] != 0) {
            s.validated.push_back(ann[i]);
        }
    }
}

void duplicate_flood(const options& o, port_io& io, state& s, telemetry_client& tel) {
    if (s.validated.empty()) {
        std::fprintf(stderr, "rnsgen: duplicate: no validated announces (run the announce mix first)\n");
        return;
    }
    // Each validated announce as sent and as another transport node's rebroadcast (HEADER_2,
    // hop byte 2): neither form changes what is signed (spec §5.1).
    std::vector<rns::bytes> copies;
    rns::hash16 other{};
    other.fill(0x6b);
    for (const rns::bytes& a : s.validated) {
        copies.push_back(a);
        rns::bytes h2(a.size() + 16);
        const std::size_t len = rns::write_announce_rebroadcast(a, 2, other, rns::ctx::none, h2);
        h2.resize(len);
        copies.push_back(std::move(h2));
    }
    std::size_t k = 0;
    auto next = [&](std::size_t i) { return rns::byte_view(copies[i % copies.size()]); };
    auto on_rx = [](rns::byte_view) {};
    const double start = now_s();
    std::uint64_t sent = paced(io, o.dup_rate, start + 1.0, &k, next, on_rx);
    const nlohmann::json a = tel.stats();
    sent += paced(io, o.dup_rate, start + o.seconds, &k, next, on_rx);
    const nlohmann::json b = tel.stats();
    const double sending = now_s() - start;
    drain_quiet(io, 1.5, 20.0, nullptr);
    const double processed = rate(a, b, "announce_verifications") + rate(a, b, "announce_verify_cached");
    std::printf("rnsgen: result mix duplicate set %zu sent_per_s %.0f sent %llu seconds %.3f window %.3f "
                "processed_per_s %.0f cached_per_s %.0f verified_again %.0f accepted %.0f overload_per_s %.0f\n",
                copies.size(), static_cast<double>(sent) / sending, static_cast<unsigned long long>(sent), sending,
                span(a, b), processed, rate(a, b, "announce_verify_cached"),
                delta(a, b, "announce_verifications"), delta(a, b, "announces_accepted"),
                rate(a, b, "announces_overload"));
    std::fflush(stdout);
}

void data_under_announces(const options& o, port_io& io, state& s, telemetry_client& tel) {
    const double data_rate = o.data_rate > 0 ? o.data_rate : s.data_rx_pps / 2;
    if (data_rate <= 0 || s.dests.empty()) {
        std::fprintf(stderr, "rnsgen: data_announce: no data rate (run the data mix first or give --data-rate)\n");
        return;
    }
    const auto n = static_cast<unsigned>(o.announce_rate * o.seconds) + 1;
    const std::vector<rns::bytes> ann = make_announces(s, n);
    confirmations conf(ann);
    std::vector<std::uint8_t> data = data_template(o, 64);
    std::uint64_t data_rx = 0;
    auto on_rx = [&](rns::byte_view p) {
        if (type_of(p) == 0) {
            ++data_rx;
        } else {
            conf.on_rx(p);
        }
    };
    const nlohmann::json a = tel.stats();
    const double start = now_s();
    const double end = start + o.seconds;
    std::uint64_t data_tx = 0;
    std::uint64_t ann_pos = 0; ///< announces handed to the port
    std::uint64_t ann_tx = 0;  ///< announces the port took
    std::uint64_t k = 0;
    rte_mbuf* frames[burst];
    for (double now = start; now < end; now = now_s()) {
        // Announces first, then data, each up to what its rate makes due by now.
        const auto ann_due = std::min<std::uint64_t>(static_cast<std::uint64_t>((now - start) * o.announce_rate) + 1, ann.size());
        unsigned m = 0;
        while (m < burst && ann_pos + m < ann_due) {
            frames[m] = io.frame(ann[ann_pos + m].data(), ann[ann_pos + m].size());
            if (frames[m] == nullptr) {
                break;
            }
            ++m;
        }
        // An announce the port did not take is skipped (not counted as sent).
        ann_pos += m;
        ann_tx += io.send_burst(frames, m);
        const auto data_due = static_cast<std::uint64_t>((now - start) * data_rate) + 1;
        unsigned d = 0;
        while (d < burst && data_tx + d < data_due) {
            std::memcpy(&data[18], s.dests[k % s.dests.size()].data(), 16);
            std::memcpy(&data[rns::header_maxsize], &s.counter, sizeof s.counter);
            frames[d] = io.frame(data.data(), data.size());
            if (frames[d] == nullptr) {
                break;
            }
            ++k;
            ++s.counter;
            ++d;
        }
        data_tx += io.send_burst(frames, d);
        for (int i = 0; i < 16 && io.poll(on_rx) != 0; ++i) {
        }
    }
    const double sending = now_s() - start;
    const nlohmann::json b = tel.stats();
    const double tail = now_s() + 0.5;
    while (now_s() < tail) {
        (void)io.poll(on_rx);
    }
    std::printf("rnsgen: result mix data_announce payload 64 data_rate %.0f data_sent %llu data_received %llu "
                "forwarded_fraction %.4f announce_rate %.0f announces_sent %llu seconds %.3f "
                "validated_per_s %.0f overload_per_s %.0f\n",
                static_cast<double>(data_tx) / sending, static_cast<unsigned long long>(data_tx),
                static_cast<unsigned long long>(data_rx),
                data_tx > 0 ? static_cast<double>(data_rx) / static_cast<double>(data_tx) : 0.0,
                static_cast<double>(ann_tx) / sending, static_cast<unsigned long long>(ann_tx), sending,
                rate(a, b, "announces_accepted"), rate(a, b, "announces_overload"));
    std::fflush(stdout);
}

} // namespace

void measure_announces(const options& o, port_io& io, state& s, const std::string& mix) {
    if (o.telemetry.empty()) {
        throw std::invalid_argument("the announce mixes need --telemetry (the router's socket)");
    }
    telemetry_client tel(o.telemetry);
    if (mix == "announce") {
        unique_flood(o, io, s, tel);
    } else if (mix == "duplicate") {
        duplicate_flood(o, io, s, tel);
    } else {
        data_under_announces(o, io, s, tel);
    }
}

} // namespace rnsgen
