// rnsprobe: a small Reticulum endpoint over a UDP interface, for tests and operators.
// Every event is one JSON object per line on stdout; diagnostics go to stderr.
// Exit status: 0 success, 1 the probe failed (timeout, no proof, ...), 2 usage error.

#include "router/rns/ifac.hpp"
#include "tools/rnsprobe_endpoint.hpp"
#include "tools/rnsprobe_tcp.hpp"
#include "tools/rnsprobe_udp.hpp"

#include "crypto/random.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

using namespace rns;
using namespace rns::probe;

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

const char* usage_text = R"(usage: rnsprobe COMMAND (--listen IP:PORT --forward IP:PORT | --tcp-connect HOST:PORT |
                        --tcp-listen IP:PORT) [options]

An RNS endpoint on one interface: UDP (like the reference UDPInterface: it listens on --listen
and sends every packet to --forward), or TCP with HDLC framing (like TCPClientInterface with
--tcp-connect, or a TCPServerInterface serving its newest client with --tcp-listen). Prints one
JSON object per event on stdout.

commands:
  listen     host a destination: announce it, answer path requests for it, accept packets
             and links and prove them (PROVE_ALL); runs for --duration (0 = until signalled)
  path       request a path to --dest and wait for the answer
  send       send --count packets with --data to --dest (requesting the path first if
             needed) and wait for their proofs, reporting delivery and round-trip times
  link       open a link to --dest, send --count messages on it, wait for their proofs,
             then close the link

options:
  --listen IP:PORT          UDP: local address to bind
  --forward IP:PORT         UDP: where packets are sent
  --tcp-connect HOST:PORT   TCP: connect there (retrying for --timeout seconds)
  --tcp-listen IP:PORT      TCP: accept connections there
  --identity FILE           identity of the hosted destination (64-byte private key form,
                            created if missing); default: a fresh identity
  --app NAME                app name of the hosted destination (default rnsprobe)
  --aspect NAME             an aspect (repeatable; default: probe)
  --ratchets                announce with a ratchet and decrypt with it
  --app-data TEXT           app_data to announce
  --no-prove                do not prove received packets (PROVE_NONE)
  --explicit-proofs         send explicit (96-byte) proofs instead of implicit ones
  --announce-interval S     listen: re-announce every S seconds (default 0: once at start)
  --duration S              listen: stop after S seconds (default 0: run until SIGINT/SIGTERM)
  --dest HEX                destination hash (path, send, link)
  --data TEXT               payload (default "rnsprobe")
  --count N                 packets / link messages to send (default 1)
  --interval S              pause between packets (default 0.2)
  --timeout S               how long to wait for paths, proofs, links (default 10)
  --no-proof                send: do not wait for proofs
  --ifac-netname NAME       interface access code: network name (spec §9)
  --ifac-passphrase TEXT    interface access code: passphrase
  --ifac-size N             access code length in bytes (default 16, like UDPInterface)
)";

struct options {
    std::string command;
    std::string listen;
    std::string forward;
    std::string tcp_connect;
    std::string tcp_listen;
    std::string identity_file;
    std::string app = "rnsprobe";
    std::vector<std::string> aspects;
    bool ratchets = false;
    std::optional<std::string> app_data;
    bool prove = true;
    bool explicit_proofs = false;
    double announce_interval = 0;
    double duration = 0;
    std::optional<hash16> dest;
    std::string data = "rnsprobe";
    int count = 1;
    double interval = 0.2;
    double timeout = 10;
    bool wait_proof = true;
    std::optional<std::string> ifac_netname;
    std::optional<std::string> ifac_passphrase;
    std::size_t ifac_size = ifac::default_size_stream;
};

[[noreturn]] void usage_error(const std::string& msg) {
    std::fprintf(stderr, "rnsprobe: %s\n\n%s", msg.c_str(), usage_text);
    std::exit(2);
}

options parse_args(int argc, char** argv) {
    options o;
    if (argc < 2) {
        usage_error("missing command");
    }
    o.command = argv[1];
    if (o.command == "-h" || o.command == "--help") {
        std::fputs(usage_text, stdout);
        std::exit(0);
    }
    if (o.command != "listen" && o.command != "path" && o.command != "send" && o.command != "link") {
        usage_error("unknown command " + o.command);
    }
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage_error(a + " needs a value");
            }
            return argv[++i];
        };
        auto number = [&]() -> double {
            const std::string v = value();
            char* end = nullptr;
            const double d = std::strtod(v.c_str(), &end);
            if (end == v.c_str() || *end != '\0' || d < 0) {
                usage_error(a + ": not a non-negative number: " + v);
            }
            return d;
        };
        if (a == "--listen") {
            o.listen = value();
        } else if (a == "--tcp-connect") {
            o.tcp_connect = value();
        } else if (a == "--tcp-listen") {
            o.tcp_listen = value();
        } else if (a == "--forward") {
            o.forward = value();
        } else if (a == "--identity") {
            o.identity_file = value();
        } else if (a == "--app") {
            o.app = value();
        } else if (a == "--aspect") {
            o.aspects.push_back(value());
        } else if (a == "--ratchets") {
            o.ratchets = true;
        } else if (a == "--app-data") {
            o.app_data = value();
        } else if (a == "--no-prove") {
            o.prove = false;
        } else if (a == "--explicit-proofs") {
            o.explicit_proofs = true;
        } else if (a == "--announce-interval") {
            o.announce_interval = number();
        } else if (a == "--duration") {
            o.duration = number();
        } else if (a == "--dest") {
            auto d = array_from_hex<16>(value());
            if (!d) {
                usage_error("--dest wants 32 hex digits");
            }
            o.dest = *d;
        } else if (a == "--data") {
            o.data = value();
        } else if (a == "--count") {
            o.count = static_cast<int>(number());
        } else if (a == "--interval") {
            o.interval = number();
        } else if (a == "--timeout") {
            o.timeout = number();
        } else if (a == "--no-proof") {
            o.wait_proof = false;
        } else if (a == "--ifac-netname") {
            o.ifac_netname = value();
        } else if (a == "--ifac-passphrase") {
            o.ifac_passphrase = value();
        } else if (a == "--ifac-size") {
            o.ifac_size = static_cast<std::size_t>(number());
        } else if (a == "-h" || a == "--help") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        } else {
            usage_error("unknown option " + a);
        }
    }
    const int transports = (!o.listen.empty() || !o.forward.empty() ? 1 : 0) + (o.tcp_connect.empty() ? 0 : 1) +
                           (o.tcp_listen.empty() ? 0 : 1);
    if (transports != 1) {
        usage_error("give one interface: --listen and --forward, --tcp-connect, or --tcp-listen");
    }
    if ((!o.listen.empty() || !o.forward.empty()) && (o.listen.empty() || o.forward.empty())) {
        usage_error("--listen and --forward go together");
    }
    if (o.command != "listen" && !o.dest) {
        usage_error(o.command + " needs --dest");
    }
    if (o.aspects.empty()) {
        o.aspects.push_back("probe");
    }
    return o;
}

void print(const nlohmann::json& ev) {
    nlohmann::json e = ev;
    e["t"] = now_seconds();
    std::cout << e.dump() << '\n' << std::flush;
}

/// The UDP interface with its optional access code (spec §9): packets leave with IFAC applied and
/// arrive verified and stripped; anything else is dropped and reported.
class probe_interface {
  public:
    probe_interface(const options& o) : _link(make_link(o)) {
        if (o.ifac_netname || o.ifac_passphrase) {
            _ifac = ifac::key::derive(o.ifac_netname, o.ifac_passphrase, o.ifac_size);
            if (!_ifac) {
                throw std::runtime_error("bad IFAC settings (size 1..64)");
            }
        }
    }
    void send(byte_view raw) {
        if (!_ifac) {
            _link->send(raw);
            return;
        }
        bytes out(raw.size() + _ifac->size());
        const std::size_t n = _ifac->apply(raw, out);
        if (n != 0) {
            _link->send(byte_view(out).first(n));
        }
    }
    std::optional<bytes> receive(double timeout_s) {
        auto pkt = _link->receive(timeout_s);
        if (!pkt) {
            return pkt;
        }
        if (!_ifac) {
            if (ifac::check_plain(*pkt) != ifac::verdict::ok) {
                print({{"event", "drop"}, {"reason", "ifac_flag_set"}});
                return std::nullopt;
            }
            return pkt;
        }
        bytes out(pkt->size());
        std::size_t n = 0;
        if (_ifac->verify(*pkt, out, n) != ifac::verdict::ok) {
            print({{"event", "drop"}, {"reason", "ifac"}});
            return std::nullopt;
        }
        out.resize(n);
        return out;
    }

  private:
    std::unique_ptr<packet_link> _link;
    std::optional<ifac::key> _ifac;

    static std::unique_ptr<packet_link> make_link(const options& o) {
        if (!o.tcp_connect.empty()) {
            return std::make_unique<tcp_interface>(tcp_interface::role::connect, o.tcp_connect, o.timeout);
        }
        if (!o.tcp_listen.empty()) {
            return std::make_unique<tcp_interface>(tcp_interface::role::listen, o.tcp_listen, o.timeout);
        }
        return std::make_unique<udp_interface>(o.listen, o.forward);
    }
};

/// Receives and processes packets until pred() holds or the deadline passes; false on timeout.
bool run_until(probe_interface& udp, endpoint& ep, double deadline, const std::function<bool()>& pred) {
    while (!g_stop) {
        if (pred()) {
            return true;
        }
        const double now = now_seconds();
        if (now >= deadline) {
            return false;
        }
        if (auto pkt = udp.receive(std::min(0.05, deadline - now))) {
            ep.receive(*pkt, now_seconds());
        }
        ep.tick(now_seconds());
    }
    return pred();
}

bool ensure_path(probe_interface& udp, endpoint& ep, const hash16& dest, double timeout) {
    if (ep.path(dest) != nullptr && ep.knows(dest)) {
        return true;
    }
    ep.request_path(dest, now_seconds());
    const double deadline = now_seconds() + timeout;
    // Re-ask once halfway, like a user would (requests over lossy links get lost).
    bool asked_again = false;
    return run_until(udp, ep, deadline, [&] {
        if (!asked_again && now_seconds() > deadline - timeout / 2) {
            asked_again = true;
            ep.request_path(dest, now_seconds());
        }
        return ep.path(dest) != nullptr && ep.knows(dest);
    });
}

int run(const options& o) {
    crypto::init();
    probe_interface udp(o);

    std::optional<destination_config> own;
    if (o.command == "listen") {
        destination_config c{identity::generate(), "rnsprobe", {"probe"}, false, std::nullopt, true, false};
        if (!o.identity_file.empty()) {
            auto f = identity::from_file_or_create(o.identity_file);
            if (!f) {
                std::fprintf(stderr, "rnsprobe: %s\n", f.error.c_str());
                return 2;
            }
            c.id = std::move(*f.id);
        }
        c.app_name = o.app;
        c.aspects = o.aspects;
        c.ratchets = o.ratchets;
        if (o.app_data) {
            c.app_data = bytes(o.app_data->begin(), o.app_data->end());
        }
        c.prove_all = o.prove;
        c.explicit_proofs = o.explicit_proofs;
        own = std::move(c);
    }
    endpoint ep(own, [&](byte_view raw) { udp.send(raw); }, print);
    nlohmann::json ready = {{"event", "ready"}, {"command", o.command}, {"listen", o.listen}, {"forward", o.forward}};
    if (!o.tcp_connect.empty()) {
        ready["tcp_connect"] = o.tcp_connect;
    }
    if (!o.tcp_listen.empty()) {
        ready["tcp_listen"] = o.tcp_listen;
    }
    if (auto d = ep.own_destination()) {
        ready["destination"] = to_hex(*d);
        ready["identity"] = own->id.hexhash();
    }
    print(ready);

    if (o.command == "listen") {
        const double start = now_seconds();
        double next_announce = start;
        while (!g_stop && (o.duration <= 0 || now_seconds() < start + o.duration)) {
            const double now = now_seconds();
            if (now >= next_announce) {
                ep.announce(now);
                next_announce = o.announce_interval > 0 ? now + o.announce_interval : 1e300;
            }
            if (auto pkt = udp.receive(0.05)) {
                ep.receive(*pkt, now_seconds());
            }
            ep.tick(now_seconds());
        }
        print({{"event", "stopped"}});
        return 0;
    }

    const hash16 dest = *o.dest;
    if (!ensure_path(udp, ep, dest, o.timeout)) {
        print({{"event", "timeout"}, {"what", "path"}, {"destination", to_hex(dest)}});
        return 1;
    }
    const path_info* p = ep.path(dest);
    print({{"event", "path"}, {"destination", to_hex(dest)}, {"hops", p->hops}, {"next_hop", to_hex(p->next_hop)}});
    if (o.command == "path") {
        return 0;
    }

    const byte_view payload = as_bytes(o.data);
    std::vector<hash32> receipts;
    if (o.command == "send") {
        for (int i = 0; i < o.count && !g_stop; ++i) {
            if (auto h = ep.send_data(dest, payload, now_seconds())) {
                receipts.push_back(*h);
            }
            if (i + 1 < o.count) {
                run_until(udp, ep, now_seconds() + o.interval, [] { return false; });
            }
        }
        if (!o.wait_proof) {
            print({{"event", "summary"}, {"sent", receipts.size()}});
            return receipts.size() == static_cast<std::size_t>(o.count) ? 0 : 1;
        }
        run_until(udp, ep, now_seconds() + o.timeout, [&] {
            return std::all_of(receipts.begin(), receipts.end(), [&](const hash32& h) { return ep.delivered(h); });
        });
        const auto delivered = std::count_if(receipts.begin(), receipts.end(), [&](const hash32& h) { return ep.delivered(h); });
        print({{"event", "summary"}, {"sent", receipts.size()}, {"delivered", delivered}});
        return delivered == o.count ? 0 : 1;
    }

    // link
    auto id = ep.open_link(dest, now_seconds());
    if (!id) {
        print({{"event", "error"}, {"what", "cannot open link"}});
        return 1;
    }
    const bool up = run_until(udp, ep, now_seconds() + o.timeout,
                              [&] { return ep.link_state(*id) == link::status::active; });
    if (!up) {
        print({{"event", "timeout"}, {"what", "link"}, {"link_id", to_hex(*id)}});
        return 1;
    }
    for (int i = 0; i < o.count && !g_stop; ++i) {
        if (auto h = ep.link_send(*id, payload, now_seconds())) {
            receipts.push_back(*h);
        }
        if (i + 1 < o.count) {
            run_until(udp, ep, now_seconds() + o.interval, [] { return false; });
        }
    }
    run_until(udp, ep, now_seconds() + o.timeout, [&] {
        return std::all_of(receipts.begin(), receipts.end(), [&](const hash32& h) { return ep.delivered(h); });
    });
    const auto delivered = std::count_if(receipts.begin(), receipts.end(), [&](const hash32& h) { return ep.delivered(h); });
    ep.link_close(*id, now_seconds());
    print({{"event", "summary"}, {"sent", receipts.size()}, {"delivered", delivered}});
    return delivered == o.count ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    const options o = parse_args(argc, argv);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    try {
        return run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rnsprobe: %s\n", e.what());
        return 2;
    }
}
