// destinations.json: names, name hashes and destination hashes (spec §3), the well-known
// transport destinations, and the constructor arguments the reference refuses.

#include "router/rns/destination.hpp"
#include "router/rns/identity.hpp"
#include "tests/conformance/registry.hpp"

#include <vector>

namespace rns::conformance {
namespace {

destination_type type_of(const json& c) {
    const std::string t = c.value("type", std::string("SINGLE"));
    if (t == "GROUP") {
        return destination_type::group;
    }
    if (t == "PLAIN") {
        return destination_type::plain;
    }
    return destination_type::single;
}

direction direction_of(const json& c) {
    return c.value("direction", std::string("IN")) == "OUT" ? direction::out : direction::in;
}

void check_case(context& ctx, const json& c, const std::string& label) {
    const std::string app = c.at("app_name").get<std::string>();
    // Destination(None, IN, ...) appends the generated identity's hexhash to the aspects.
    const json& asp_json = c.contains("effective_aspects") ? c.at("effective_aspects") : c.at("aspects");
    const std::vector<std::string> aspect_strings = asp_json.get<std::vector<std::string>>();
    const std::vector<std::string_view> aspects(aspect_strings.begin(), aspect_strings.end());
    const destination_type type = type_of(c);

    ctx.check(validate_name(app, aspects) == destination_error::ok, label + ": name refused");
    ctx.check(expand_name(app, aspects) == c.at("name_for_name_hash").get<std::string>(),
              label + ": name_for_name_hash differs");
    const hash10 nh = name_hash(app, aspects);
    ctx.check(equal(nh, hex(ctx, c.at("name_hash"))), label + ": name_hash differs");

    std::optional<hash16> id_hash;
    if (c.contains("identity_private_key") && !c.at("identity_private_key").is_null()) {
        auto id = identity::from_private_key(hex(ctx, c.at("identity_private_key")));
        if (ctx.check(id.has_value(), label + ": identity private key not loadable")) {
            ctx.check(equal(id->public_key(), hex(ctx, c.at("identity_public_key"))),
                      label + ": identity public key differs");
            id_hash = id->hash();
        }
    }
    if (c.contains("identity_hash") && !c.at("identity_hash").is_null()) {
        const bytes ih = hex(ctx, c.at("identity_hash"));
        if (id_hash) {
            ctx.check(equal(*id_hash, ih), label + ": identity hash differs");
        }
        id_hash = take<16>(ih);
    }
    if (c.contains("direction")) {
        ctx.check(validate_destination(type, direction_of(c), id_hash.has_value(), app, aspects) ==
                      destination_error::ok,
                  label + ": constructor arguments refused");
    }
    if (c.contains("full_name")) {
        ctx.check(expand_name(app, aspects, id_hash ? &*id_hash : nullptr) ==
                      c.at("full_name").get<std::string>(),
                  label + ": full_name differs");
    }
    hash16 dh{};
    if (type == destination_type::plain) {
        ctx.check(!id_hash.has_value(), label + ": PLAIN case with an identity");
        dh = plain_destination_hash(nh);
    } else if (ctx.check(id_hash.has_value(), label + ": SINGLE/GROUP case without identity")) {
        dh = destination_hash(nh, *id_hash);
    }
    ctx.check(equal(dh, hex(ctx, c.at("destination_hash"))), label + ": destination_hash differs");
    if (c.contains("static_hash")) {
        ctx.check(equal(dh, hex(ctx, c.at("static_hash"))), label + ": static_hash differs");
    }
    const std::string kind = c.at("kind").get<std::string>();
    if (kind == "transport_control_path_request") {
        ctx.check(equal(transport_destinations::path_request(), dh),
                  label + ": well-known path request destination differs");
    } else if (kind == "transport_control_tunnel_synthesize") {
        ctx.check(equal(transport_destinations::tunnel_synthesize(), dh),
                  label + ": well-known tunnel synthesize destination differs");
    }
}

void check_invalid(context& ctx, const json& c, const std::string& label) {
    const std::string app = c.at("app_name").get<std::string>();
    const auto aspect_strings = c.at("aspects").get<std::vector<std::string>>();
    const std::vector<std::string_view> aspects(aspect_strings.begin(), aspect_strings.end());
    const bool with_identity = c.value("with_identity", true);
    const destination_error e =
        validate_destination(type_of(c), direction_of(c), with_identity, app, aspects);
    ctx.check(e != destination_error::ok, label + ": accepted");
    ctx.check(to_string(e) == c.at("error").get<std::string>(),
              label + ": refused for another reason (" + to_string(e) + ")");
}

void check_destinations(context& ctx) {
    int i = 0;
    for (const auto& c : ctx.doc.at("cases")) {
        ctx.begin_case();
        check_case(ctx, c, "cases[" + std::to_string(i++) + "] " + c.at("kind").get<std::string>());
    }
    i = 0;
    for (const auto& c : ctx.doc.at("invalid")) {
        ctx.begin_case();
        check_invalid(ctx, c, "invalid[" + std::to_string(i++) + "]");
    }
}

} // namespace

RNS_CONFORMANCE_CHECKER("destinations.json", check_destinations);

} // namespace rns::conformance
