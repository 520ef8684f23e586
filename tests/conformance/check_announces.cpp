// announces.json: announces the reference built (split, rebuilt byte-exactly, validated, what it
// remembers) and modified announces with the verdict and reason of spec §5.2.

#include "router/rns/announce.hpp"
#include "router/rns/destination.hpp"
#include "router/rns/identity.hpp"
#include "tests/conformance/announce_json.hpp"
#include "tests/conformance/packet_json.hpp"

#include <array>
#include <vector>

namespace rns::conformance {
namespace {

// The recorded split ("announce" object) against ours.
void check_fields(context& ctx, const announce_view& a, const json& want, const std::string& label) {
    auto eq = [&](byte_view got, const char* field) {
        ctx.check(equal(got, hex(ctx, want.at(field))), label + ": announce." + field + " differs");
    };
    eq(a.public_key, "public_key");
    eq(a.name_hash, "name_hash");
    eq(a.random_hash, "random_hash");
    eq(a.ratchet, "ratchet");
    eq(a.signature, "signature");
    eq(a.app_data, "app_data");
    ctx.check(a.emission_timestamp() == want.at("emission_timestamp").get<std::uint64_t>(),
              label + ": emission_timestamp differs");
    // Second code path: the signed data assembled from the fields as spec §5.1 lists them.
    const bytes signed_data =
        concat({a.destination_hash, a.public_key, a.name_hash, a.random_hash, a.ratchet, a.app_data});
    ctx.check(equal(signed_data, hex(ctx, want.at("signed_data"))), label + ": signed_data differs");
}

// What the reference stored for a valid announce (spec §5.2 step 6), incl. the None/empty quirk.
void check_remembered(context& ctx, const packet_view& p, const announce_result& r, const json& want,
                      const std::string& label) {
    const announce_view& a = r.announce;
    ctx.check(equal(a.public_key, hex(ctx, want.at("public_key"))), label + ": remembered key differs");
    const bool none = want.at("app_data_is_none").get<bool>();
    ctx.check(a.app_data_present == !none, label + ": app_data None/empty differs");
    if (!none) {
        ctx.check(equal(a.app_data, hex(ctx, want.at("app_data"))), label + ": remembered app_data differs");
    }
    ctx.check(equal(packet_hash(p), hex(ctx, want.at("packet_hash"))),
              label + ": remembered packet hash differs");
    ctx.check(equal(a.ratchet, hex(ctx, want.at("ratchet"))), label + ": remembered ratchet differs");
}

// Verdicts: signature-only mode, full validation, packet filter, and what is remembered.
announce_result check_verdicts(context& ctx, const packet_view& p, const json& expected,
                               const byte_array<64>* known, const std::string& label) {
    announce_checks sig_only;
    sig_only.signature_only = true;
    const auto s = validate_announce(p, sig_only);
    ctx.check(static_cast<bool>(s) == expected.at("signature_valid").get<bool>(),
              label + ": signature verdict differs (" + to_string(s.error) + ")");
    announce_checks full;
    full.known_public_key = known;
    const auto r = validate_announce(p, full);
    ctx.check(static_cast<bool>(r) == expected.at("valid").get<bool>(),
              label + ": validity differs (" + to_string(r.error) + ")");
    ctx.check(announce_destination_type_allowed(p) == expected.at("packet_filter").get<bool>(),
              label + ": packet filter verdict differs");
    if (r && expected.contains("remembered")) {
        check_remembered(ctx, p, r, expected.at("remembered"), label);
    }
    return r;
}

void check_valid(context& ctx) {
    const json& valid = ctx.doc.at("valid");
    const auto own_tid = [](const packet_view& p) { return take<16>(p.transport_id); };
    for (std::size_t i = 0; i < valid.size(); ++i) {
        const json& c = valid[i];
        ctx.begin_case();
        const std::string label = "valid[" + std::to_string(i) + "] " + c.at("what").get<std::string>();
        auto raw = check_packet_json(ctx, c.at("packet"), label);
        if (!raw) {
            continue;
        }
        const packet_view p = parse_packet(*raw).packet;
        const auto r = check_verdicts(ctx, p, c.at("expected"), nullptr, label);
        if (c.contains("announce") && r) {
            check_fields(ctx, r.announce, c.at("announce"), label);
        }
        ctx.check(equal(p.destination_hash, hex(ctx, c.at("destination_hash"))),
                  label + ": destination hash differs");
        ctx.check(equal(r.identity_hash, hex(ctx, c.at("identity_hash"))), label + ": identity hash differs");

        if (c.contains("aspects")) {
            // Build direction: the same bytes from the identity, the name and the random inputs.
            auto id = identity::from_private_key(hex(ctx, c.at("identity_private_key")));
            if (!ctx.check(id.has_value(), label + ": identity not loadable")) {
                continue;
            }
            const auto aspect_strings = c.at("aspects").get<std::vector<std::string>>();
            const std::vector<std::string_view> aspects(aspect_strings.begin(), aspect_strings.end());
            const hash10 nh = name_hash(c.at("app_name").get<std::string>(), aspects);
            ctx.check(equal(destination_hash(nh, id->hash()), p.destination_hash),
                      label + ": destination hash from name and identity differs");
            const bytes entropy = hex(ctx, c.at("urandom_consumed").at(0));
            announce_inputs in;
            in.entropy = entropy;
            in.clock = static_cast<std::uint64_t>(c.at("clock").get<double>());
            if (!c.at("ratchet_private").is_null()) {
                in.ratchet_private = take<32>(hex(ctx, c.at("ratchet_private")));
            }
            check_announce_rebuild(ctx, *raw, *id, nh, in, label);
            // app_data_given null and empty give the same bytes: the wire has no None.
            ctx.check(equal(p.data.subspan(p.data.size() - r.announce.app_data.size()),
                            hex(ctx, c.at("app_data_given"))),
                      label + ": app data differs from what was given");
        } else {
            // "HEADER_2 rebroadcast of case N": our transport form of case N gives these bytes.
            const std::string what = c.at("what").get<std::string>();
            const auto at = what.find("of case ");
            if (!ctx.check(at != std::string::npos, label + ": cannot tell which case it re-sends")) {
                continue;
            }
            const std::size_t n = std::stoul(what.substr(at + 8));
            if (!ctx.check(n < valid.size(), label + ": source case out of range")) {
                continue;
            }
            const bytes src = hex(ctx, valid[n].at("packet").at("raw"));
            std::array<std::uint8_t, 1024> buf{};
            const std::size_t len = write_announce_rebroadcast(src, p.hops, own_tid(p), p.context, buf);
            ctx.check(equal(byte_view(buf).first(len), *raw), label + ": re-sent form differs");
            // spec §4.5: the hash survives the header change, not a context change.
            auto ps = parse_packet(src);
            if (ctx.check(static_cast<bool>(ps), label + ": source case does not parse")) {
                const bool same_context = ps.packet.context == p.context;
                ctx.check((packet_hash(ps.packet) == packet_hash(p)) == same_context,
                          label + ": packet hash relation to the source differs");
            }
        }
    }
}

// The reason text of a variant → our reason, given the layout the packet claims.
announce_error expected_reason(const std::string& reason, const packet_view& p) {
    const std::size_t need = p.flags.context_flag ? announce_min_data_ratchet : announce_min_data;
    if (reason.starts_with("invalid signature") || reason.starts_with("too short")) {
        // A short announce is "invalid signature" to the reference (the verify fails on the
        // short slices); we name it truncated before trying.
        return p.data.size() < need ? announce_error::truncated : announce_error::bad_signature;
    }
    if (reason.starts_with("destination mismatch")) {
        return announce_error::destination_mismatch;
    }
    if (reason.starts_with("public key differs")) {
        return announce_error::key_collision;
    }
    return announce_error::ok;
}

void check_variants(context& ctx) {
    int i = 0;
    for (const auto& c : ctx.doc.at("variants")) {
        ctx.begin_case();
        const std::string label = "variants[" + std::to_string(i++) + "] " + c.at("what").get<std::string>();
        auto raw = check_packet_json(ctx, c.at("packet"), label);
        if (!raw) {
            continue;
        }
        const packet_view p = parse_packet(*raw).packet;
        std::optional<byte_array<64>> known;
        if (c.contains("precondition")) {
            for (const auto& [dest, entry] : c.at("precondition").at("known_destinations").items()) {
                if (equal(p.destination_hash, hex(ctx, dest))) {
                    known = take<64>(hex(ctx, entry.at("public_key")));
                }
            }
            ctx.check(known.has_value(), label + ": precondition names another destination");
        }
        const auto r = check_verdicts(ctx, p, c.at("expected"), known ? &*known : nullptr, label);
        const announce_error want = expected_reason(c.at("reason").get<std::string>(), p);
        ctx.check(r.error == want, label + ": reason " + to_string(r.error) + ", expected " +
                                       to_string(want) + " (" + c.at("reason").get<std::string>() + ")");
        const auto split = split_announce(p);
        if (split && c.contains("announce")) {
            check_fields(ctx, split.announce, c.at("announce"), label);
        }
    }
}

void check_announces(context& ctx) {
    check_valid(ctx);
    check_variants(ctx);
}

} // namespace

RNS_CONFORMANCE_CHECKER("announces.json", check_announces);

} // namespace rns::conformance
