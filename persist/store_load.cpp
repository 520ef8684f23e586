#include "persist/snapshot_codec.hpp"
#include "persist/store_impl.hpp"

#include <fcntl.h>

#include <cerrno>
#include <cstring>

namespace persist {

namespace {

struct sync_client final : io_client {
    int res = 0;
    bool done = false;
    void on_complete(int r) noexcept override {
        res = r;
        done = true;
    }
};

/// Reads a whole state file through a slot. nullopt + errno-style code when it cannot.
std::optional<rns::bytes> read_file(engine& e, const std::string& path, int& err) {
    err = 0;
    std::optional<slot> s = e.pool.try_acquire();
    if (!s) {
        err = EBUSY;
        return std::nullopt;
    }
    unsigned idx = s->index();
    int rc = run_sync(e.ring, [&](io_client& c) { e.ring.prep_open(c, idx, path.c_str(), O_RDONLY, 0); });
    if (rc < 0) {
        err = -rc;
        return std::nullopt;
    }
    s->set_open(true);
    rns::bytes data;
    constexpr std::size_t chunk = 1024 * 1024;
    for (;;) {
        std::size_t at = data.size();
        data.resize(at + chunk);
        rc = run_sync(e.ring, [&](io_client& c) {
            e.ring.prep_read(c, idx, data.data() + at, static_cast<unsigned>(chunk), at);
        });
        if (rc == -EAGAIN || rc == -EINTR) {
            data.resize(at);
            continue;
        }
        if (rc <= 0) {
            data.resize(at);
            if (rc < 0) {
                err = -rc;
            }
            break;
        }
        data.resize(at + static_cast<std::size_t>(rc));
    }
    run_sync(e.ring, [&](io_client& c) { e.ring.prep_close(c, idx); });
    s->set_open(false);
    if (err != 0) {
        return std::nullopt;
    }
    return data;
}

} // namespace

int run_sync(uring& ring, const std::function<void(io_client&)>& prep) {
    sync_client c;
    prep(c);
    while (!c.done) {
        ring.submit_and_drain(1, std::chrono::milliseconds(100));
    }
    return c.res;
}

load_outcome load_state_dir(engine& e, ratchet_map& table, loaded_state& out) {
    load_outcome o;
    struct statx stx {};
    int rc = run_sync(e.ring, [&](io_client& c) { e.ring.prep_statx(c, e.dir.c_str(), &stx); });
    if (rc == 0) {
        o.dir_inode = stx.stx_ino;
    }
    // Leftovers of an interrupted compaction or snapshot: never valid, never read.
    for (const char* name : {"ratchets.seg.new", "paths.snap.tmp", "known.snap.tmp", "identity.tmp", "tunnels.snap.tmp"}) {
        std::string p = e.dir + "/" + name;
        run_sync(e.ring, [&](io_client& c) { e.ring.prep_unlink(c, p.c_str()); });
    }

    int err = 0;
    std::optional<rns::bytes> seg = read_file(e, e.dir + "/ratchets.seg", err);
    if (seg) {
        out.report.segment_present = true;
        segment_scan s = scan_segment(*seg, table, e.cfg.now(), e.cfg.ratchet_expiry_s);
        out.report.ratchet_records = s.records;
        out.report.torn_tail_bytes = s.torn_tail_bytes;
        out.report.corrupt_records = s.corrupt_records;
        out.report.expired_ratchets = s.expired;
        o.segment_clean = s.header_ok && s.torn_tail_bytes == 0 && s.corrupt_records == 0 && s.expired == 0;
        o.segment_end = s.valid_end;
        if (!s.header_ok) {
            out.report.errors.emplace_back("ratchets.seg: bad header, rewritten");
        }
    } else if (err != ENOENT) {
        out.report.errors.push_back("ratchets.seg: " + std::string(std::strerror(err)));
    }
    out.ratchets.reserve(table.size());
    for (const auto& [k, v] : table) {
        out.ratchets.push_back(v);
    }
    e.counters.ratchets_live.store(table.size(), std::memory_order_relaxed);

    auto load_snapshot = [&](const char* name, auto decode, auto& target,
                             std::shared_ptr<const rns::bytes>& keep) {
        std::optional<rns::bytes> f = read_file(e, e.dir + "/" + name, err);
        if (!f) {
            if (err != ENOENT) {
                out.report.errors.push_back(std::string(name) + ": " + std::strerror(err));
            }
            return;
        }
        auto decoded = decode(*f);
        if (!decoded) {
            out.report.errors.push_back(std::string(name) + ": checksum or format error, ignored");
            return;
        }
        target = std::move(*decoded);
        keep = std::make_shared<const rns::bytes>(std::move(*f));
    };
    load_snapshot("paths.snap", decode_paths, out.paths, o.paths_file);
    load_snapshot("known.snap", decode_known, out.known, o.known_file);
    load_snapshot("identity", decode_identity, out.identity, o.identity_file);
    // Tunnels: a record that does not parse is skipped with a message; the others are kept.
    std::optional<decoded_tunnels> tunnels;
    load_snapshot("tunnels.snap", decode_tunnels, tunnels, o.tunnels_file);
    if (tunnels) {
        for (std::string& why : tunnels->errors) {
            out.report.errors.push_back("tunnels.snap: " + std::move(why));
        }
        out.tunnels = std::move(tunnels->tunnels);
    }
    return o;
}

} // namespace persist
