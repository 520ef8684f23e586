// links.json: a whole link per case, both sides driven by our session object with the recorded
// ephemeral keys, IVs and clock: request, link id (with and without signalling), proof, keys, RTT,
// then every traffic packet built by its sender byte-exact and read back by its receiver. Plus
// signalling encode/decode and the modes the reference refuses (spec §7).

#include "router/rns/link.hpp"
#include "router/rns/msgpack.hpp"
#include "tests/conformance/packet_json.hpp"
#include "tests/conformance/registry.hpp"

namespace rns::conformance {
namespace {

template <std::size_t N> byte_array<N> arr(context& ctx, const json& v) {
    bytes b = hex(ctx, v);
    if (b.size() != N) {
        ctx.fail("expected " + std::to_string(N) + " bytes, got " + std::to_string(b.size()));
    }
    return take<N>(b);
}

// A msgpack value recorded as JSON by the generator: {"bytes": hex} for bin, numbers, lists.
std::optional<msgpack::value> from_json(context& ctx, const json& j) {
    if (j.is_object() && j.contains("bytes")) {
        return msgpack::value(hex(ctx, j.at("bytes")));
    }
    if (j.is_array()) {
        msgpack::array a;
        for (const auto& e : j) {
            auto v = from_json(ctx, e);
            if (!v) {
                return std::nullopt;
            }
            a.push_back(std::move(*v));
        }
        return msgpack::value(std::move(a));
    }
    if (j.is_number_float()) {
        return msgpack::value(j.get<double>());
    }
    if (j.is_number_unsigned()) {
        return msgpack::value(j.get<std::uint64_t>());
    }
    if (j.is_number_integer()) {
        return msgpack::value(j.get<std::int64_t>());
    }
    if (j.is_string()) {
        return msgpack::value(j.get<std::string>());
    }
    if (j.is_boolean()) {
        return msgpack::value(j.get<bool>());
    }
    if (j.is_null()) {
        return msgpack::value(msgpack::nil_t{});
    }
    return std::nullopt;
}

void check_traffic(context& ctx, const json& t, link::session& ini, link::session& resp, const std::string& tag,
                   bytes& previous) {
    const std::string what = t.at("what").get<std::string>();
    const std::string label = tag + " traffic '" + what + "'";
    auto raw = check_packet_json(ctx, t.at("packet"), label);
    if (!raw) {
        return;
    }
    auto parsed = parse_packet(*raw);
    if (!ctx.check(static_cast<bool>(parsed), label + ": does not parse")) {
        return;
    }
    const packet_view& p = parsed.packet;
    struct remember {
        bytes& slot;
        const bytes& value;
        ~remember() { slot = value; }
    } keep{previous, *raw};
    const bool from_initiator = t.at("sender").get<std::string>() == "initiator";
    link::session& sender = from_initiator ? ini : resp;
    link::session& receiver = from_initiator ? resp : ini;
    bytes plaintext = hex(ctx, t.at("plaintext"));
    const bool encrypted = !t.at("iv").is_null();
    byte_array<16> iv{};
    if (encrypted) {
        iv = arr<16>(ctx, t.at("iv"));
    }

    // Build direction: the sender produces the recorded bytes.
    bytes built;
    if (what.starts_with("packet proof")) {
        // Link.prove_packet of the previous traffic packet, signed with the sender's link key.
        hash32 h = arr<32>(ctx, t.at("proved_packet_hash"));
        auto prev = parse_packet(previous);
        if (ctx.check(static_cast<bool>(prev) && equal(packet_hash(prev.packet), h),
                      label + ": proved packet hash is not the previous packet's")) {
            built = sender.prove_packet(prev.packet);
        }
    } else if (what.starts_with("keepalive")) {
        built = sender.keepalive_packet();
    } else if (what.starts_with("link close")) {
        built = sender.data_packet(ctx::link_close, sender.link_id(), iv);
    } else if (what.starts_with("identify")) {
        auto who = identity::from_private_key(hex(ctx, t.at("identity_private_key")));
        if (ctx.check(who.has_value(), label + ": identity key")) {
            built = sender.identify_packet(*who, iv);
            ctx.check(equal(who->public_key(), hex(ctx, t.at("identity_public_key"))), label + ": identity public key");
        }
    } else if (what == "request") {
        auto req = link::parse_request_plaintext(plaintext);
        if (ctx.check(req.has_value(), label + ": recorded request plaintext does not read back")) {
            built = sender.request_packet(req->requested_at, t.at("request_path").get<std::string>(),
                                          req->packed_data, iv);
            ctx.check(equal(req->path_hash, hex(ctx, t.at("request_path_hash"))), label + ": path hash");
            ctx.check(equal(req->packed_data, msgpack::encode(msgpack::value(hex(ctx, t.at("request_data"))))),
                      label + ": request data");
        }
    } else if (what == "response") {
        auto res = link::parse_response_plaintext(plaintext);
        if (ctx.check(res.has_value(), label + ": recorded response plaintext does not read back")) {
            built = sender.response_packet(take<16>(res->request_id), res->packed_response, iv);
        }
    } else {
        built = sender.data_packet(ctx::none, plaintext, iv);
    }
    ctx.check(equal(built, *raw), label + ": sender built different bytes");
    if (t.contains("unpacked")) {
        auto want = from_json(ctx, t.at("unpacked"));
        auto got = msgpack::decode(plaintext);
        ctx.check(want.has_value() && got && got.val == *want, label + ": msgpack tree differs from 'unpacked'");
        ctx.check(want.has_value() && equal(msgpack::encode(*want), plaintext), label + ": msgpack encoding differs");
    }

    // Parse direction: the receiver reads it.
    if (!encrypted) {
        ctx.check(equal(p.data, plaintext), label + ": unencrypted payload differs");
        if (what.starts_with("packet proof")) {
            hash32 h = arr<32>(ctx, t.at("proved_packet_hash"));
            ctx.check(receiver.validate_packet_proof(p, h) == t.at("signature_valid").get<bool>(),
                      label + ": packet proof verdict differs");
            // a proof for another packet hash must not validate
            hash32 other = h;
            other[0] ^= 1;
            ctx.check(!receiver.validate_packet_proof(p, other), label + ": proof accepted for another hash");
        }
        if (what.starts_with("keepalive")) {
            ctx.check(p.context == ctx::keepalive, label + ": keepalive context");
        }
        return;
    }
    auto dec = receiver.decrypt(p.data);
    ctx.check(dec && equal(*dec.plaintext, plaintext), label + ": receiver decrypts different plaintext");
    if (what == "request") {
        ctx.check(equal(link::request_id(p), hex(ctx, t.at("request_id"))), label + ": request id differs");
    }
    if (what.starts_with("identify")) {
        auto id = receiver.on_identify(p);
        ctx.check(id.has_value() && equal(id->hash(), hex(ctx, t.at("responder_learned_identity_hash"))),
                  label + ": responder did not learn the identity");
    }
    if (what.starts_with("link close")) {
        // Now the sender closes too (teardown after sending).
        (void)sender.close_packet(iv);
        ctx.check(receiver.on_close(p), label + ": receiver did not accept LINKCLOSE");
    }
}

void check_case(context& ctx, const json& c, std::size_t index) {
    const std::string tag = "case " + std::to_string(index);
    ctx.begin_case();
    const auto& dest = c.at("destination");
    auto dest_id = identity::from_private_key(hex(ctx, dest.at("identity_private_key")));
    if (!ctx.check(dest_id.has_value(), tag + ": destination key")) {
        return;
    }
    ctx.check(equal(dest_id->public_key(), hex(ctx, dest.at("identity_public_key"))), tag + ": destination public key");
    hash16 dest_hash = arr<16>(ctx, dest.at("destination_hash"));

    // Initiator builds the request.
    const auto& ini_keys = c.at("initiator");
    const auto& lr = c.at("link_request");
    const double t0 = 1000.0; // any epoch: only differences matter
    auto ini = link::session::initiate(dest_hash, dest_id->ed25519_public(), arr<32>(ctx, ini_keys.at("x25519_private")),
                                       arr<32>(ctx, ini_keys.at("ed25519_seed")), t0,
                                       lr.at("signalled_mtu").get<std::uint32_t>(),
                                       static_cast<link::mode>(lr.at("signalled_mode").get<int>()));
    if (!ctx.check(ini.has_value(), tag + ": initiate refused")) {
        return;
    }
    ctx.check(equal(ini->own_x25519_public(), hex(ctx, ini_keys.at("x25519_public"))), tag + ": initiator X25519 pub");
    ctx.check(equal(ini->own_ed25519_public(), hex(ctx, ini_keys.at("ed25519_public"))), tag + ": initiator Ed25519 pub");
    auto lr_raw = check_packet_json(ctx, lr.at("packet"), tag + " link request");
    ctx.check(lr_raw && equal(ini->request_packet(), *lr_raw), tag + ": link request bytes differ");
    ctx.check(equal(link::signalling_bytes(lr.at("signalled_mtu").get<std::uint32_t>(), link::default_mode).value(),
                    hex(ctx, lr.at("signalling_bytes"))),
              tag + ": signalling bytes differ");
    ctx.check(equal(ini->link_id(), hex(ctx, c.at("link_id"))), tag + ": initiator link id differs");

    // Responder receives the request as delivered (maybe with the signalling stripped).
    bytes delivered = hex(ctx, c.at("link_request_as_delivered"));
    auto dp = parse_packet(delivered);
    if (!ctx.check(static_cast<bool>(dp), tag + ": delivered request does not parse")) {
        return;
    }
    ctx.check(dp.packet.data.size() == (c.at("lr_delivered_without_signalling").get<bool>() ? 64u : 67u),
              tag + ": delivered request size");
    auto req = link::parse_request(dp.packet);
    ctx.check(static_cast<bool>(req), tag + ": request refused");
    ctx.check(equal(req.fields.link_id, hex(ctx, c.at("link_id_from_delivered"))), tag + ": delivered link id differs");
    auto resp = link::session::accept(dp.packet, *dest_id, arr<32>(ctx, c.at("responder").at("x25519_private")), t0);
    if (!ctx.check(resp.has_value(), tag + ": responder refused the request")) {
        return;
    }
    ctx.check(equal(resp->own_x25519_public(), hex(ctx, c.at("responder").at("x25519_public"))), tag + ": responder X25519 pub");
    ctx.check(equal(resp->own_ed25519_public(), hex(ctx, c.at("responder").at("ed25519_public"))), tag + ": responder signing key");

    // Proof.
    const auto& lp = c.at("link_proof");
    auto lp_raw = check_packet_json(ctx, lp.at("packet"), tag + " link proof");
    ctx.check(lp_raw && equal(resp->proof_packet(), *lp_raw), tag + ": proof bytes differ");
    ctx.check(equal(link::proof_signed_data(resp->link_id(), resp->own_x25519_public(), dest_id->ed25519_public(),
                                            hex(ctx, lp.at("signalling_bytes"))),
                    hex(ctx, lp.at("signed_data"))),
              tag + ": proof signed data differs");
    const double rtt = c.at("rtt_packet").at("rtt_seconds").get<double>();
    auto pp = parse_packet(resp->proof_packet());
    // What a transport node checks before forwarding the proof (spec §6.10).
    ctx.check((link::verify_proof_in_transit(pp.packet.data, resp->link_id(), dest_id->ed25519_public()) ==
               link::proof_error::ok) == lp.at("signature_valid").get<bool>(),
              tag + ": in-transit proof verdict differs");
    ctx.check(ini->on_proof(pp.packet, t0 + rtt) == link::proof_error::ok, tag + ": initiator rejected the proof");
    ctx.check(ini->state() == link::status::active, tag + ": initiator not active");
    ctx.check(ini->mtu() == lp.at("confirmed_mtu").get<std::uint32_t>(), tag + ": confirmed MTU differs");
    ctx.check(ini->mtu() == c.at("link_mtu").get<std::uint32_t>() && ini->mdu() == c.at("link_mdu").get<std::size_t>(),
              tag + ": link MTU/MDU differ");

    // A tampered proof (one signature bit) is refused and leaves the link usable.
    {
        bytes bad = resp->proof_packet();
        bad[bad.size() - 99 + 5] ^= 0x01;
        auto probe = link::session::initiate(dest_hash, dest_id->ed25519_public(), arr<32>(ctx, ini_keys.at("x25519_private")),
                                             arr<32>(ctx, ini_keys.at("ed25519_seed")), t0);
        auto bp = parse_packet(bad);
        ctx.check(probe && probe->on_proof(bp.packet, t0) == link::proof_error::bad_signature &&
                      probe->state() == link::status::pending,
                  tag + ": tampered proof accepted");
    }

    // Keys.
    for (auto* s : {&*ini, &*resp}) {
        ctx.check(s->shared_key() && equal(*s->shared_key(), hex(ctx, c.at("shared_key"))), tag + ": shared key differs");
        ctx.check(equal(s->derived_key(), hex(ctx, c.at("derived_key"))), tag + ": derived key differs");
        ctx.check(equal(byte_view(s->derived_key()).first(32), hex(ctx, c.at("token_signing_key"))) &&
                      equal(byte_view(s->derived_key()).subspan(32), hex(ctx, c.at("token_encryption_key"))),
                  tag + ": token key halves differ");
    }

    // RTT.
    const auto& rp = c.at("rtt_packet");
    auto rp_raw = check_packet_json(ctx, rp.at("packet"), tag + " rtt packet");
    ctx.check(rp_raw && equal(ini->rtt_packet(arr<16>(ctx, rp.at("iv"))), *rp_raw), tag + ": RTT packet differs");
    ctx.check(equal(link::rtt_plaintext(rtt), hex(ctx, rp.at("plaintext"))), tag + ": RTT plaintext differs");
    if (rp_raw) {
        auto rpp = parse_packet(*rp_raw);
        ctx.check(resp->on_rtt(rpp.packet, t0 + rtt / 2) && resp->state() == link::status::active &&
                      resp->rtt() == rtt,
                  tag + ": responder did not take the RTT");
    }
    ctx.check(ini->keepalive() == c.at("keepalive_interval").get<double>() &&
                  resp->keepalive() == c.at("keepalive_interval").get<double>(),
              tag + ": keepalive interval differs");

    bytes previous;
    for (const auto& t : c.at("traffic")) {
        check_traffic(ctx, t, *ini, *resp, tag, previous);
    }
    ctx.check(std::string(link::to_string(resp->state())) == c.at("responder_status_after_close").get<std::string>(),
              tag + ": responder status after close differs");
}

void check_links(context& ctx) {
    std::size_t i = 0;
    for (const auto& c : ctx.doc.at("cases")) {
        check_case(ctx, c, i++);
    }
    for (const auto& s : ctx.doc.at("signalling")) {
        ctx.begin_case();
        const auto mtu = s.at("mtu").get<std::uint32_t>();
        const auto m = static_cast<link::mode>(s.at("mode").get<int>());
        const std::string tag = "signalling mtu " + std::to_string(mtu);
        auto b = link::signalling_bytes(mtu, m);
        ctx.check(b && equal(*b, hex(ctx, s.at("signalling_bytes"))), tag + ": bytes differ");
        auto f = link::decode_signalling(arr<3>(ctx, s.at("signalling_bytes")));
        ctx.check(f.mtu == s.at("parsed_mtu").get<std::uint32_t>() &&
                      static_cast<int>(f.link_mode) == s.at("parsed_mode").get<int>(),
                  tag + ": decoded fields differ");
    }
    for (const auto& r : ctx.doc.at("rejected_modes")) {
        ctx.begin_case();
        const auto m = static_cast<link::mode>(r.at("mode").get<int>());
        const std::string tag = std::string("rejected mode ") + link::mode_name(m);
        ctx.check(!link::signalling_bytes(500, m).has_value(), tag + ": signalling accepted");
        ctx.check(r.at("error").get<std::string>().find(link::mode_name(m)) != std::string::npos,
                  tag + ": mode name differs from the reference's message");
        ctx.check(!link::session::initiate(hash16{}, crypto::ed25519_public{}, 0.0, 500, m).has_value(),
                  tag + ": initiate accepted the mode");
        // A request signalling this mode is refused by a responder.
        bytes data(67, 0x09);
        data[64] = static_cast<std::uint8_t>(static_cast<int>(m) << 5);
        data[65] = 0x01;
        data[66] = 0xf4;
        bytes pkt = link::build_request_packet(hash16{}, data);
        auto pr = link::parse_request(parse_packet(pkt).packet);
        ctx.check(pr.error == link::request_error::mode_not_enabled, tag + ": request with this mode accepted");
    }
}

} // namespace

RNS_CONFORMANCE_CHECKER("links.json", check_links);

} // namespace rns::conformance
