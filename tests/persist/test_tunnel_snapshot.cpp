// The tunnel snapshot (tunnels.snap, persist/README.md): round trip through the codec and through
// the store; a damaged file is rejected whole; a malformed record inside an intact file is
// skipped with a message while the others load.
#include "persist/crc32c.hpp"
#include "persist/snapshot_codec.hpp"
#include "persist/store.hpp"
#include "test_util.hpp"

#include <doctest/doctest.h>

#include <bit>
#include <fstream>
#include <string>

using namespace persist;

namespace {

path_record tunnel_path(std::uint64_t i, const std::optional<rns::hash32>& iface) {
    path_record p;
    p.destination = test::dest_of(i);
    p.timestamp = 1702000000.5 + static_cast<double>(i);
    p.next_hop = test::dest_of(200 + i);
    p.hops = static_cast<std::uint8_t>(2 + i);
    p.expires = p.timestamp + 604800;
    rns::byte_array<10> b{};
    b[0] = static_cast<std::uint8_t>(i);
    b[9] = 0x42;
    p.random_blobs.push_back(b);
    if (iface) {
        p.interface_hash = *iface;
    }
    p.announce_hash = test::ratchet_of(300 + i);
    p.announce.assign(160 + i, static_cast<std::uint8_t>(0xa0 + i));
    return p;
}

std::vector<tunnel_record> sample_tunnels() {
    std::vector<tunnel_record> v;
    tunnel_record bound;
    bound.tunnel_id = test::ratchet_of(1);
    bound.interface_hash = test::ratchet_of(2);
    bound.expires = 1702028800.0;
    bound.paths = {tunnel_path(0, bound.interface_hash), tunnel_path(1, bound.interface_hash)};
    v.push_back(bound);
    tunnel_record unbound; // after a restart, before its client synthesized it again
    unbound.tunnel_id = test::ratchet_of(3);
    unbound.expires = 1702010000.0;
    unbound.paths = {tunnel_path(5, std::nullopt)};
    v.push_back(unbound);
    tunnel_record empty;
    empty.tunnel_id = test::ratchet_of(4);
    empty.expires = 1702020000.0;
    v.push_back(empty);
    return v;
}

// Little-endian writers following the layout documented in persist/README.md (independent of
// the codec's own writer).
void le32(rns::bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}
void le64d(rns::bytes& b, double d) {
    const auto v = std::bit_cast<std::uint64_t>(d);
    for (int i = 0; i < 8; ++i) {
        b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}
template <typename A> void put(rns::bytes& b, const A& a) { b.insert(b.end(), a.begin(), a.end()); }

rns::bytes documented_record(const tunnel_record& t) {
    rns::bytes r;
    put(r, t.tunnel_id);
    r.push_back(t.interface_hash ? 1 : 0);
    put(r, t.interface_hash.value_or(rns::hash32{}));
    le64d(r, t.expires);
    le32(r, static_cast<std::uint32_t>(t.paths.size()));
    for (const auto& p : t.paths) {
        put(r, p.destination);
        le64d(r, p.timestamp);
        put(r, p.next_hop);
        r.push_back(p.hops);
        le64d(r, p.expires);
        le32(r, static_cast<std::uint32_t>(p.random_blobs.size()));
        for (const auto& b : p.random_blobs) {
            put(r, b);
        }
        put(r, p.interface_hash);
        put(r, p.announce_hash);
        le32(r, static_cast<std::uint32_t>(p.announce.size()));
        put(r, p.announce);
    }
    return r;
}

rns::bytes documented_file(const std::vector<rns::bytes>& bodies) {
    rns::bytes f = {'R', 'N', 'S', 'T', 'U', 'N', 'L', '1'};
    le32(f, 1);
    le32(f, static_cast<std::uint32_t>(bodies.size()));
    for (const auto& body : bodies) {
        le32(f, static_cast<std::uint32_t>(body.size()));
        put(f, body);
    }
    le32(f, crc32c(f));
    return f;
}

config base_config(const std::filesystem::path& dir) {
    config c;
    c.dir = dir;
    c.fsync_interval = std::chrono::milliseconds(5);
    c.log = [](std::string_view) {};
    c.now = [] { return 1702000000.0 + 5000; };
    return c;
}

void write_file(const std::filesystem::path& p, const rns::bytes& b) {
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

bool has_error(const load_report& r, const std::string& needle) {
    for (const auto& e : r.errors) {
        if (e.find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("tunnel snapshot: the codec writes the documented layout and reads it back") {
    const auto t = sample_tunnels();
    std::vector<rns::bytes> bodies;
    for (const auto& r : t) {
        bodies.push_back(documented_record(r));
    }
    const rns::bytes file = encode_tunnels(t);
    CHECK(file == documented_file(bodies));
    auto d = decode_tunnels(file);
    REQUIRE(d);
    CHECK(d->errors.empty());
    CHECK(d->tunnels == t);
    auto e = decode_tunnels(encode_tunnels({}));
    REQUIRE(e);
    CHECK(e->tunnels.empty());
}

TEST_CASE("tunnel snapshot: every truncation and every single-bit flip rejects the file") {
    const rns::bytes f = encode_tunnels(sample_tunnels());
    for (std::size_t n = 0; n < f.size(); ++n) {
        REQUIRE_FALSE(decode_tunnels(rns::byte_view(f.data(), n)));
    }
    for (std::size_t i = 0; i < f.size(); i += 3) {
        for (int bit = 0; bit < 8; ++bit) {
            auto g = f;
            g[i] ^= static_cast<std::uint8_t>(1U << bit);
            REQUIRE_FALSE(decode_tunnels(g));
        }
    }
    CHECK_FALSE(decode_paths(f)); // not another kind of snapshot
}

TEST_CASE("tunnel snapshot: malformed records inside an intact file are skipped, with a message each") {
    const auto t = sample_tunnels();
    rns::bytes bad_flag = documented_record(t[1]);
    bad_flag[32] = 7; // the interface flag is 0 or 1
    rns::bytes truncated = documented_record(t[0]);
    truncated.resize(truncated.size() - 10); // the last announce runs past the record
    rns::bytes trailing = documented_record(t[2]);
    trailing.push_back(0);
    rns::bytes huge_count = documented_record(t[2]);
    huge_count[32 + 1 + 32 + 8] = 0xff; // path count low byte: 255 paths in a 77-byte record
    const rns::bytes file = documented_file({documented_record(t[0]), bad_flag, truncated,
                                             rns::bytes{1, 2, 3}, trailing, huge_count,
                                             documented_record(t[2])});
    auto d = decode_tunnels(file);
    REQUIRE(d);
    REQUIRE(d->tunnels.size() == 2);
    CHECK(d->tunnels[0] == t[0]);
    CHECK(d->tunnels[1] == t[2]);
    REQUIRE(d->errors.size() == 5);
    for (int i : {1, 2, 3, 4, 5}) {
        const std::string prefix = "tunnel record " + std::to_string(i) + ": ";
        bool found = false;
        for (const auto& e : d->errors) {
            found = found || (e.rfind(prefix, 0) == 0 && e.find("skipped") != std::string::npos);
        }
        CHECK_MESSAGE(found, prefix);
    }
}

TEST_CASE("tunnel snapshot: through the store, and a damaged file at start-up is reported, not fatal") {
    const auto t = sample_tunnels();
    {
        test::scratch_dir d("tunnels");
        {
            auto s = store::open(base_config(d.path));
            CHECK(s->loaded().tunnels.empty());
            REQUIRE(s->submit_tunnel_snapshot(t));
            REQUIRE(s->flush());
        }
        CHECK(std::filesystem::exists(d.path / "tunnels.snap"));
        auto s = store::open(base_config(d.path));
        CHECK(s->loaded().report.errors.empty());
        CHECK(s->loaded().tunnels == t);
    }
    {
        test::scratch_dir d("tunnels-garbage");
        write_file(d.path / "tunnels.snap", rns::bytes(100, 0x5a));
        auto s = store::open(base_config(d.path));
        CHECK(s->loaded().tunnels.empty());
        CHECK(has_error(s->loaded().report, "tunnels.snap: checksum or format error"));
        // The store still works: a new snapshot replaces the damaged file.
        REQUIRE(s->submit_tunnel_snapshot(t));
        REQUIRE(s->flush());
        s.reset();
        auto again = store::open(base_config(d.path));
        CHECK(again->loaded().tunnels == t);
    }
    {
        test::scratch_dir d("tunnels-record");
        write_file(d.path / "tunnels.snap", documented_file({rns::bytes{9, 9}, documented_record(t[1])}));
        auto s = store::open(base_config(d.path));
        REQUIRE(s->loaded().tunnels.size() == 1);
        CHECK(s->loaded().tunnels[0] == t[1]);
        CHECK(has_error(s->loaded().report, "tunnels.snap: tunnel record 0:"));
    }
}
