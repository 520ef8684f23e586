// ifac.json: key and identity derivation for every setting (spec §9.1), every packet built
// byte-exact by the transmit side (spec §9.2) and recovered by the receive side (spec §9.3), both
// out of place and in place, and the reference's verdict on every altered input reproduced exactly
// (including the one a 1-byte IFAC accepts by chance).

#include "router/rns/ifac.hpp"
#include "router/rns/packet.hpp"
#include "crypto/sha256.hpp"
#include "tests/conformance/registry.hpp"

namespace rns::conformance {
namespace {

std::optional<std::string> opt_str(const json& v) {
    if (v.is_null()) {
        return std::nullopt;
    }
    return v.get<std::string>();
}

// What the reference's inbound recovered: the raw packet, or nullopt for a drop. Its inbound goes
// on to unpack the packet, so a packet that passes IFAC but does not parse is a drop too.
std::optional<bytes> receive(const ifac::key* k, byte_view wire) {
    bytes out(wire.size());
    std::size_t len = 0;
    if (k == nullptr) {
        if (ifac::check_plain(wire) != ifac::verdict::ok) {
            return std::nullopt;
        }
        out.assign(wire.begin(), wire.end());
        len = wire.size();
    } else if (k->verify(wire, out, len) != ifac::verdict::ok) {
        return std::nullopt;
    }
    out.resize(len);
    if (!parse_packet(out)) {
        return std::nullopt;
    }
    return out;
}

void check_ifac(context& ctx) {
    const auto& doc = ctx.doc;
    for (const auto& s : doc.at("settings")) {
        auto netname = opt_str(s.at("network_name"));
        auto pass = opt_str(s.at("passphrase"));
        const std::size_t size = s.at("ifac_size_bytes").get<std::size_t>();
        const std::string tag = "setting (" + netname.value_or("None") + ", " + pass.value_or("None") +
                                ", " + std::to_string(size) + ")";
        ctx.begin_case();
        ctx.check(ifac::size_from_config_bits(s.at("config_ifac_size_bits").get<long long>(), 0) == size,
                  tag + ": size from configured bits differs");
        bytes o = ifac::origin(netname, pass);
        ctx.check(equal(o, hex(ctx, s.at("ifac_origin"))), tag + ": ifac_origin differs");
        ctx.check(equal(crypto::sha256(o), hex(ctx, s.at("ifac_origin_hash"))), tag + ": origin hash differs");
        auto k = ifac::key::derive(netname, pass, size);
        if (!ctx.check(k.has_value(), tag + ": derivation refused")) {
            continue;
        }
        ctx.check(equal(k->ifac_key(), hex(ctx, s.at("ifac_key"))), tag + ": ifac_key differs");
        ctx.check(equal(k->ifac_identity().public_key(), hex(ctx, s.at("ifac_identity_public_key"))),
                  tag + ": IFAC identity public key differs");
        ctx.check(equal(k->ifac_identity().hash(), hex(ctx, s.at("ifac_identity_hash"))),
                  tag + ": IFAC identity hash differs");
        ctx.check(equal(k->published_signature(), hex(ctx, s.at("ifac_signature"))),
                  tag + ": published IFAC signature differs");

        for (const auto& p : s.at("packets")) {
            ctx.begin_case();
            const std::string what = tag + " packet '" + p.at("what").get<std::string>() + "'";
            bytes raw = hex(ctx, p.at("raw"));
            bytes wire = hex(ctx, p.at("wire"));
            bytes want_mask = hex(ctx, p.at("mask"));
            ctx.check(equal(k->ifac_identity().sign(raw), hex(ctx, p.at("ifac_full_signature"))),
                      what + ": full signature differs");
            byte_array<ifac::max_size> code{};
            k->compute_code(raw, code);
            ctx.check(equal(byte_view(code).first(size), hex(ctx, p.at("ifac"))), what + ": IFAC differs");
            bytes mask(want_mask.size());
            ifac::mask_stream ms(byte_view(code).first(size), k->ifac_key());
            for (auto& m : mask) {
                m = ms.next();
            }
            ctx.check(equal(mask, want_mask), what + ": mask differs");
            // transmit, out of place and in place
            bytes out(raw.size() + size);
            ctx.check(k->apply(raw, out) == wire.size() && equal(out, wire), what + ": wire differs");
            bytes inplace(raw.size() + size);
            std::copy(raw.begin(), raw.end(), inplace.begin());
            ctx.check(k->apply(byte_view(inplace).first(raw.size()), inplace) == wire.size() &&
                          equal(inplace, wire),
                      what + ": in-place wire differs");
            ctx.check(k->apply(raw, std::span<std::uint8_t>(out).first(out.size() - 1)) == 0,
                      what + ": apply wrote into a too small buffer");
            // receive
            bytes accepted = hex(ctx, p.at("accepted_raw"));
            auto got = receive(&*k, wire);
            ctx.check(got.has_value() && equal(*got, accepted), what + ": receive side differs");
            std::size_t len = 0;
            ctx.check(k->verify(wire, wire, len) == ifac::verdict::ok && equal(byte_view(wire).first(len), accepted),
                      what + ": in-place receive differs");
        }
        for (const auto& r : s.at("rejected")) {
            ctx.begin_case();
            const std::string what = tag + " rejected '" + r.at("what").get<std::string>() + "'";
            bytes wire = hex(ctx, r.at("wire"));
            const bool on_ifac = r.at("received_on").get<std::string>() == "this interface";
            auto got = receive(on_ifac ? &*k : nullptr, wire);
            if (r.at("accepted_raw").is_null()) {
                ctx.check(!got.has_value(), what + ": accepted, the reference drops it");
            } else {
                bytes want = hex(ctx, r.at("accepted_raw"));
                ctx.check(got.has_value() && equal(*got, want), what + ": the reference accepts it as given");
            }
        }
    }
    const auto& c = doc.at("control");
    ctx.begin_case();
    auto got = receive(nullptr, hex(ctx, c.at("wire")));
    ctx.check(got.has_value() && equal(*got, hex(ctx, c.at("accepted_raw"))), "control: plain packet differs");
}

} // namespace

RNS_CONFORMANCE_CHECKER("ifac.json", check_ifac);

} // namespace rns::conformance
