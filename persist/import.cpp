#include "persist/import.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

namespace persist {

namespace {

std::optional<rns::bytes> slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    rns::bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return std::nullopt;
    }
    return b;
}

template <typename T, typename Parse>
void read_one(import_result& r, const std::filesystem::path& p, Parse parse, T& out) {
    if (!std::filesystem::exists(p)) {
        return;
    }
    std::optional<rns::bytes> b = slurp(p);
    if (!b) {
        r.errors.push_back(p.string() + ": unreadable");
        return;
    }
    auto v = parse(*b);
    if (!v) {
        r.errors.push_back(p.string() + ": malformed, skipped");
        return;
    }
    out = std::move(*v);
}

} // namespace

import_result import_reference_storage(const std::filesystem::path& storage_dir) {
    import_result r;
    std::error_code ec;

    // ratchets/<32 hex digits>: files named otherwise (e.g. a stray ".out") are not ratchets.
    auto rdir = storage_dir / "ratchets";
    if (std::filesystem::is_directory(rdir, ec)) {
        std::vector<std::filesystem::path> files;
        for (const auto& e : std::filesystem::directory_iterator(rdir, ec)) {
            files.push_back(e.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& p : files) {
            auto dest = rns::array_from_hex<16>(p.filename().string());
            if (!dest || p.filename().string().size() != 32) {
                r.errors.push_back(p.string() + ": not a ratchet file name, skipped");
                continue;
            }
            std::optional<ratchet_record> rec;
            read_one(r, p, [&](rns::byte_view b) { return reference::parse_ratchet(*dest, b); }, rec);
            if (rec) {
                r.ratchets.push_back(*rec);
            }
        }
    }

    read_one(r, storage_dir / "destination_table", reference::parse_destination_table, r.paths);
    read_one(r, storage_dir / "known_destinations", reference::parse_known_destinations, r.known);
    read_one(r, storage_dir / "transport_identity", reference::parse_transport_identity, r.identity);
    read_one(r, storage_dir / "packet_hashlist.raw", reference::parse_packet_hashlist, r.packet_hashes);
    read_one(r, storage_dir / "tunnels", reference::parse_tunnels, r.tunnels);

    // The raw announce of every path, so the restarted router can answer path requests (§5.4).
    std::map<rns::hash32, rns::bytes> announces;
    auto adir = storage_dir / "cache" / "announces";
    if (std::filesystem::is_directory(adir, ec)) {
        for (const auto& e : std::filesystem::directory_iterator(adir, ec)) {
            auto h = rns::array_from_hex<32>(e.path().filename().string());
            if (!h) {
                continue;
            }
            std::optional<reference::cached_announce> a;
            read_one(r, e.path(), reference::parse_cached_announce, a);
            if (a) {
                announces[*h] = std::move(a->raw);
                ++r.cached_announces;
            }
        }
    }
    for (auto& p : r.paths) {
        auto it = announces.find(p.announce_hash);
        if (it != announces.end()) {
            p.announce = it->second;
        } else {
            ++r.paths_without_announce;
        }
    }
    return r;
}

} // namespace persist
