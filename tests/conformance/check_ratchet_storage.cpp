// ratchet_storage.json: the files RNS 1.4.2 wrote under storage/ (spec §5.4, §11), both directions.
// Parse: each file is read by persist::reference and must equal the JSON's decoded contents, and the
// whole folder imported by persist::import_reference_storage must equal what the scenario implies
// (ratchet public keys derived here from the recorded private keys, announce times, raw announces).
// Build: re-encoding what was parsed must give the reference's exact bytes. Negative: every file
// cut short by one byte is rejected.

#include "crypto/sha256.hpp"
#include "crypto/x25519.hpp"
#include "persist/import.hpp"
#include "persist/reference_codec.hpp"
#include "router/rns/identity.hpp"
#include "tests/conformance/registry.hpp"

#include <fstream>
#include <iterator>
#include <map>

namespace rns::conformance {
namespace {

namespace ref = persist::reference;

bytes read_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// {"bytes": hex} -> bytes.
bytes jbytes(context& ctx, const json& v) {
    if (!v.is_object() || !v.contains("bytes")) {
        ctx.fail("expected {\"bytes\": ...}, got " + v.dump().substr(0, 60));
        return {};
    }
    return hex(ctx, v.at("bytes"));
}

template <std::size_t N> bool same(const byte_array<N>& a, const bytes& b) { return equal(a, b); }

bool same_path(context& ctx, const persist::path_record& p, const json& d) {
    bool ok = d.is_array() && d.size() == 8;
    if (!ok) {
        return false;
    }
    ok = ok && same(p.destination, jbytes(ctx, d[0])) && p.timestamp == d[1].get<double>();
    ok = ok && same(p.next_hop, jbytes(ctx, d[2])) && p.hops == d[3].get<int>();
    ok = ok && p.expires == d[4].get<double>() && p.random_blobs.size() == d[5].size();
    for (std::size_t i = 0; ok && i < p.random_blobs.size(); ++i) {
        ok = same(p.random_blobs[i], jbytes(ctx, d[5][i]));
    }
    return ok && same(p.interface_hash, jbytes(ctx, d[6])) && same(p.announce_hash, jbytes(ctx, d[7]));
}

// One vector file: integrity, parse == decoded, encode == bytes, truncation rejected.
void check_file(context& ctx, const json& f) {
    const std::string sp = f.at("storage_path").get<std::string>();
    const std::string where = "file " + sp;
    const bytes data = read_bytes(ctx.dir / f.at("path").get<std::string>());
    ctx.check(data.size() == f.at("size").get<std::size_t>(), where + ": size differs from the JSON");
    ctx.check(to_hex(crypto::sha256(data)) == f.at("sha256").get<std::string>(), where + ": sha256 differs");
    ctx.check(equal(data, hex(ctx, f.at("hex"))), where + ": file bytes differ from the JSON hex");
    const json dec = f.contains("decoded") ? f.at("decoded") : json(); // raw files have none
    const bytes cut(data.begin(), data.end() - (data.empty() ? 0 : 1));

    if (sp.starts_with("storage/ratchets/")) {
        auto dest = array_from_hex<16>(sp.substr(17));
        if (!ctx.check(dest.has_value(), where + ": file name is not a destination hash")) {
            return;
        }
        auto r = ref::parse_ratchet(*dest, data);
        if (!ctx.check(r.has_value(), where + ": not parsed")) {
            return;
        }
        ctx.check(same(r->ratchet, jbytes(ctx, dec.at("ratchet"))), where + ": ratchet differs");
        ctx.check(r->received == dec.at("received").get<double>(), where + ": received differs");
        ctx.check(equal(ref::encode_ratchet(*r), data), where + ": re-encoding differs");
        ctx.check(!ref::parse_ratchet(*dest, cut), where + ": truncated file accepted");
    } else if (sp == "storage/destination_table") {
        auto t = ref::parse_destination_table(data);
        if (!ctx.check(t.has_value() && t->size() == dec.size(), where + ": not parsed / wrong count")) {
            return;
        }
        hash32 iface = crypto::sha256(as_bytes(f.at("interface_str").get<std::string>()));
        for (std::size_t i = 0; i < t->size(); ++i) {
            ctx.check(same_path(ctx, (*t)[i], dec[i]), where + ": entry " + std::to_string(i) + " differs");
            ctx.check((*t)[i].interface_hash == iface, where + ": interface hash is not SHA-256(str(interface))");
        }
        ctx.check(equal(ref::encode_destination_table(*t), data), where + ": re-encoding differs");
        ctx.check(!ref::parse_destination_table(cut), where + ": truncated file accepted");
    } else if (sp == "storage/known_destinations") {
        auto k = ref::parse_known_destinations(data);
        if (!ctx.check(k.has_value() && k->size() == dec.size(), where + ": not parsed / wrong count")) {
            return;
        }
        for (const auto& e : *k) { // (the JSON object's key order is not the file's)
            const std::string key = "bytes:" + to_hex(e.destination);
            if (!ctx.check(dec.contains(key), where + ": " + key + " not in the JSON")) {
                continue;
            }
            const json& v = dec.at(key);
            bool ok = e.last_heard == v[0].get<double>() &&
                      same(e.announce_hash, jbytes(ctx, v[1])) && same(e.public_key, jbytes(ctx, v[2])) &&
                      e.last_used == v[4].get<double>();
            ok = ok && (v[3].is_null() ? !e.app_data : (e.app_data && equal(*e.app_data, jbytes(ctx, v[3]))));
            ctx.check(ok, where + ": entry " + key + " differs");
        }
        ctx.check(equal(ref::encode_known_destinations(*k), data), where + ": re-encoding differs");
        ctx.check(!ref::parse_known_destinations(cut), where + ": truncated file accepted");
    } else if (sp == "storage/transport_identity") {
        auto id = ref::parse_transport_identity(data);
        ctx.check(id && equal(*id, hex(ctx, ctx.doc.at("description").at("transport_identity_private_key"))),
                  where + ": identity differs from transport_identity_private_key");
        ctx.check(id && identity::from_private_key(*id).has_value(), where + ": not a usable private key");
        ctx.check(!ref::parse_transport_identity(cut), where + ": truncated file accepted");
    } else if (sp.starts_with("storage/cache/announces/")) {
        auto a = ref::parse_cached_announce(data);
        if (!ctx.check(a.has_value(), where + ": not parsed")) {
            return;
        }
        ctx.check(equal(a->raw, jbytes(ctx, dec.at(0))), where + ": raw announce differs");
        ctx.check(a->interface && *a->interface == dec.at(1).get<std::string>(), where + ": interface differs");
        ctx.check(equal(ref::encode_cached_announce(*a), data), where + ": re-encoding differs");
        ctx.check(!ref::parse_cached_announce(cut), where + ": truncated file accepted");
    } else if (sp == "storage/packet_hashlist.raw") {
        auto h = ref::parse_packet_hashlist(data);
        bool ok = h && h->size() == dec.size();
        for (std::size_t i = 0; ok && i < h->size(); ++i) {
            ok = to_hex((*h)[i]) == dec[i].get<std::string>();
        }
        ctx.check(ok, where + ": hashes differ");
        ctx.check(h && equal(ref::encode_packet_hashlist(*h), data), where + ": re-encoding differs");
        ctx.check(!ref::parse_packet_hashlist(cut), where + ": truncated file accepted");
    } else if (sp == "storage/tunnels") {
        auto t = ref::parse_tunnels(data);
        ctx.check(t && t->size() == dec.size(), where + ": tunnel count differs");
        ctx.check(t && equal(ref::encode_tunnels(*t), data), where + ": re-encoding differs");
        ctx.check(!ref::parse_tunnels(cut), where + ": truncated file accepted");
    } else if (sp == "storage/local_destination.ratchets") {
        auto l = ref::parse_local_ratchets(data);
        if (!ctx.check(l.has_value(), where + ": not parsed")) {
            return;
        }
        ctx.check(same(l->signature, jbytes(ctx, dec.at("signature"))), where + ": signature differs");
        ctx.check(equal(l->packed, jbytes(ctx, dec.at("ratchets"))), where + ": packed ratchets differ");
        const json& want = f.at("decoded_ratchets");
        bool ok = l->ratchets.size() == want.size();
        for (std::size_t i = 0; ok && i < want.size(); ++i) {
            ok = same(l->ratchets[i], jbytes(ctx, want[i]));
        }
        ctx.check(ok, where + ": ratchet private keys differ");
        // The signature is the local destination's identity over the packed list (checked with
        // the identity from the scenario step that created it).
        for (const auto& s : ctx.doc.at("scenario")) {
            if (s.contains("ratchets_private_newest_first")) {
                auto id = identity::from_private_key(hex(ctx, s.at("identity_private_key")));
                ctx.check(id && id->verify(l->signature, l->packed) == f.at("signature_valid").get<bool>(),
                          where + ": signature verification disagrees");
            }
        }
        ctx.check(!ref::parse_local_ratchets(cut), where + ": truncated file accepted");
    } else {
        ctx.fail(where + ": no check for this storage file");
    }
}

// The whole folder through the importer, against what the scenario steps imply.
void check_import(context& ctx) {
    ctx.begin_case();
    persist::import_result r = persist::import_reference_storage(ctx.dir / "ratchet_storage");
    ctx.check(r.errors.empty(), "import: errors reported" + (r.errors.empty() ? "" : ": " + r.errors[0]));

    struct expected_ratchet {
        hash32 ratchet;
        double received;
    };
    std::map<std::string, expected_ratchet> ratchets;
    std::map<std::string, const json*> last_announce;
    std::map<std::string, bytes> public_keys;
    double recall_clock = 0;
    for (const auto& s : ctx.doc.at("scenario")) {
        const std::string step = s.at("step").get<std::string>();
        if (step.starts_with("announce received")) {
            const std::string d = s.at("destination_hash").get<std::string>();
            last_announce[d] = &s;
            auto id = identity::from_private_key(hex(ctx, s.at("identity_private_key")));
            if (id) {
                const auto pk = id->public_key();
                public_keys[d] = bytes(pk.begin(), pk.end());
            }
            if (!s.at("ratchet_private").is_null()) {
                auto prv = array_from_hex<32>(s.at("ratchet_private").get<std::string>());
                ratchets[d] = {crypto::x25519_public_from_private(*prv), s.at("clock").get<double>()};
            }
        } else if (s.contains("ratchets_private_newest_first")) {
            auto prv = array_from_hex<32>(s.at("ratchets_private_newest_first")[0].get<std::string>());
            ratchets[s.at("destination_hash").get<std::string>()] = {crypto::x25519_public_from_private(*prv),
                                                                     s.at("clock").get<double>()};
        } else if (step.starts_with("RNS.Identity.recall")) {
            recall_clock = s.at("clock").get<double>();
        }
    }
    ctx.check(r.ratchets.size() == ratchets.size(), "import: ratchet count differs from the scenario");
    for (const auto& rec : r.ratchets) {
        auto it = ratchets.find(to_hex(rec.destination));
        ctx.check(it != ratchets.end() && it->second.ratchet == rec.ratchet && it->second.received == rec.received,
                  "import: ratchet of " + to_hex(rec.destination) + " differs from the scenario");
    }
    ctx.check(r.paths.size() == last_announce.size(), "import: path count differs");
    for (const auto& p : r.paths) {
        auto it = last_announce.find(to_hex(p.destination));
        bool ok = it != last_announce.end() && p.timestamp == it->second->at("clock").get<double>() &&
                  equal(p.announce, hex(ctx, it->second->at("announce_raw"))) &&
                  to_hex(p.announce_hash) == it->second->at("announce_packet_hash").get<std::string>() &&
                  p.expires == p.timestamp + 604800; // spec §1.3 PATHFINDER_E
        ctx.check(ok, "import: path of " + to_hex(p.destination) + " differs from the scenario");
    }
    ctx.check(r.known.size() == public_keys.size(), "import: known destination count differs");
    for (const auto& k : r.known) {
        auto it = public_keys.find(to_hex(k.destination));
        ctx.check(it != public_keys.end() && equal(k.public_key, it->second),
                  "import: public key of " + to_hex(k.destination) + " differs from the scenario identity");
        ctx.check(k.last_used == 0 || k.last_used == recall_clock,
                  "import: last_used of " + to_hex(k.destination) + " is neither 0 nor the recall time");
    }
    ctx.check(r.identity && equal(*r.identity, hex(ctx, ctx.doc.at("description").at("transport_identity_private_key"))),
              "import: transport identity differs");
    ctx.check(r.cached_announces == 4 && r.paths_without_announce == 0, "import: cached announces not all attached");
    ctx.check(r.packet_hashes.size() == 4 && r.tunnels.empty(), "import: hashlist / tunnels differ");
}

void check_ratchet_storage(context& ctx) {
    for (const auto& f : ctx.doc.at("files")) {
        ctx.begin_case();
        check_file(ctx, f);
    }
    check_import(ctx);
}

} // namespace

RNS_CONFORMANCE_CHECKER("ratchet_storage.json", check_ratchet_storage);

} // namespace rns::conformance
