// rns-import: migrates a reference instance's storage/ folder (spec §11) into an rnsrouter state
// directory: ratchets, the path table with its cached announces, known destinations and the
// transport identity. Run it with the router stopped. Existing state is merged (the newer entry
// of each destination wins); a different transport identity is replaced only when asked.
// After writing, the state directory is reopened and every imported entry is checked.

#include "persist/import.hpp"
#include "persist/store.hpp"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>

namespace {

void usage() {
    std::fprintf(stderr,
                 "usage: rns-import --from <reference storage dir> --to <state dir> [options]\n"
                 "  --slots N            registered file slots for the writer (default 16)\n"
                 "  --now UNIX_SECONDS   time for ratchet expiry decisions (default: now)\n"
                 "  --replace-identity   replace a different transport identity already in <state dir>\n"
                 "  --dry-run            read and report, write nothing\n");
}

template <typename T, typename Key, typename Newer>
std::vector<T> merge(const std::vector<T>& old, const std::vector<T>& incoming, Key key, Newer newer) {
    std::map<rns::hash16, T> m;
    std::vector<rns::hash16> order;
    for (const auto* v : {&old, &incoming}) {
        for (const auto& e : *v) {
            auto it = m.find(key(e));
            if (it == m.end()) {
                order.push_back(key(e));
                m.emplace(key(e), e);
            } else if (newer(e, it->second)) {
                it->second = e;
            }
        }
    }
    std::vector<T> out;
    for (const auto& k : order) {
        out.push_back(m.at(k));
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    std::string from, to;
    unsigned slots = 16;
    double now = -1;
    bool replace_identity = false, dry_run = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (a == "--from") {
            from = next();
        } else if (a == "--to") {
            to = next();
        } else if (a == "--slots") {
            slots = static_cast<unsigned>(std::stoul(next()));
        } else if (a == "--now") {
            now = std::stod(next());
        } else if (a == "--replace-identity") {
            replace_identity = true;
        } else if (a == "--dry-run") {
            dry_run = true;
        } else {
            usage();
            return 2;
        }
    }
    if (from.empty() || (to.empty() && !dry_run)) {
        usage();
        return 2;
    }

    persist::import_result r = persist::import_reference_storage(from);
    std::printf("read %s: %zu ratchets, %zu paths (%zu without cached announce), %zu known destinations, "
                "identity %s, %zu packet hashes, %zu tunnels\n",
                from.c_str(), r.ratchets.size(), r.paths.size(), r.paths_without_announce, r.known.size(),
                r.identity ? "yes" : "no", r.packet_hashes.size(), r.tunnels.size());
    for (const auto& e : r.errors) {
        std::printf("  skipped: %s\n", e.c_str());
    }
    if (dry_run) {
        return 0;
    }

    persist::config cfg;
    cfg.dir = to;
    cfg.slots = slots;
    if (now >= 0) {
        cfg.now = [now] { return now; };
    }
    double expiry_now = now >= 0 ? now : std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    std::vector<persist::ratchet_record> written;
    std::vector<persist::path_record> paths;
    std::vector<persist::known_destination> known;
    {
        auto s = persist::store::open(cfg);
        const persist::loaded_state& l = s->loaded();
        if (r.identity && l.identity && *l.identity != *r.identity && !replace_identity) {
            std::fprintf(stderr, "rns-import: %s already has a different transport identity "
                                 "(use --replace-identity to replace it)\n", to.c_str());
            return 1;
        }
        std::size_t expired = 0, older = 0;
        for (const auto& rec : r.ratchets) {
            if (rec.received + persist::ratchet_expiry_seconds < expiry_now) {
                ++expired; // spec §5.4: the reference would not use it either
                continue;
            }
            auto have = s->ratchet_for(rec.destination, expiry_now);
            if (have && have->received >= rec.received) {
                ++older;
                continue;
            }
            while (!s->submit_ratchet(rec.destination, rec.ratchet, rec.received)) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            written.push_back(rec);
        }
        paths = merge(l.paths, r.paths, [](const auto& p) { return p.destination; },
                      [](const auto& a, const auto& b) { return a.timestamp > b.timestamp; });
        known = merge(l.known, r.known, [](const auto& k) { return k.destination; },
                      [](const auto& a, const auto& b) { return a.last_heard > b.last_heard; });
        bool ok = s->submit_path_snapshot(paths) && s->submit_known_destinations(known);
        if (r.identity) {
            ok = ok && s->submit_identity(*r.identity);
        }
        if (!ok || !s->flush(std::chrono::milliseconds(60000))) {
            std::fprintf(stderr, "rns-import: writing %s failed\n", to.c_str());
            return 1;
        }
        std::printf("wrote %s: %zu ratchets (%zu expired, %zu older than what was there), %zu paths, "
                    "%zu known destinations%s\n",
                    to.c_str(), written.size(), expired, older, paths.size(), known.size(),
                    r.identity ? ", transport identity" : "");
    }

    // Verify by reading the state directory back.
    auto s = persist::store::open(cfg);
    const persist::loaded_state& l = s->loaded();
    std::size_t bad = 0;
    for (const auto& rec : written) {
        auto have = s->ratchet_for(rec.destination, expiry_now);
        bad += have && *have == rec ? 0 : 1;
    }
    bad += l.paths == paths ? 0 : 1;
    bad += l.known == known ? 0 : 1;
    bad += (!r.identity || (l.identity && *l.identity == *r.identity)) ? 0 : 1;
    if (bad != 0 || !l.report.errors.empty()) {
        std::fprintf(stderr, "rns-import: verification of %s FAILED (%zu mismatches)\n", to.c_str(), bad);
        return 1;
    }
    std::printf("verified: the state directory reads back what was imported\n");
    return 0;
}
