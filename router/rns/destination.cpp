// Destination names and hashes (spec §3).

#include "router/rns/destination.hpp"

#include "crypto/sha256.hpp"

#include <array>

namespace rns {

const char* to_string(destination_error e) noexcept {
    switch (e) {
    case destination_error::ok: return "ok";
    case destination_error::dot_in_app_name: return "Dots can't be used in app names";
    case destination_error::dot_in_aspect: return "Dots can't be used in aspects";
    case destination_error::plain_with_identity:
        return "Selected destination type PLAIN cannot hold an identity";
    case destination_error::single_out_without_identity:
        return "Can't create outbound SINGLE destination without an identity";
    }
    return "unknown";
}

destination_error validate_name(std::string_view app_name,
                                std::span<const std::string_view> aspects) noexcept {
    if (app_name.find('.') != std::string_view::npos) {
        return destination_error::dot_in_app_name;
    }
    for (auto a : aspects) {
        if (a.find('.') != std::string_view::npos) {
            return destination_error::dot_in_aspect;
        }
    }
    return destination_error::ok;
}

destination_error validate_destination(destination_type type, direction dir, bool has_identity,
                                       std::string_view app_name,
                                       std::span<const std::string_view> aspects) noexcept {
    // The reference checks the name first, then the identity rules.
    if (auto e = validate_name(app_name, aspects); e != destination_error::ok) {
        return e;
    }
    if (type == destination_type::plain && has_identity) {
        return destination_error::plain_with_identity;
    }
    if (type == destination_type::single && dir == direction::out && !has_identity) {
        return destination_error::single_out_without_identity;
    }
    return destination_error::ok;
}

std::string expand_name(std::string_view app_name, std::span<const std::string_view> aspects,
                        const hash16* identity_hash) {
    std::string name(app_name);
    for (auto a : aspects) {
        name.push_back('.');
        name.append(a);
    }
    if (identity_hash != nullptr) {
        name.push_back('.');
        name.append(to_hex(*identity_hash));
    }
    return name;
}

hash10 name_hash(std::string_view app_name, std::span<const std::string_view> aspects) noexcept {
    // Hashed piecewise so no name string is built: "app" then ".aspect" for each aspect.
    static constexpr std::uint8_t dot = '.';
    crypto::sha256_ctx h;
    h.update(as_bytes(app_name));
    for (auto a : aspects) {
        h.update(byte_view{&dot, 1});
        h.update(as_bytes(a));
    }
    return take<10>(h.final());
}

hash10 name_hash(std::string_view app_name, std::initializer_list<std::string_view> aspects) noexcept {
    return name_hash(app_name, std::span<const std::string_view>(aspects.begin(), aspects.size()));
}

hash16 destination_hash(const hash10& nh, const hash16& identity_hash) noexcept {
    return crypto::truncated_hash({nh, identity_hash});
}

hash16 plain_destination_hash(const hash10& nh) noexcept { return crypto::truncated_hash(nh); }

namespace transport_destinations {

const hash16& path_request() noexcept {
    static const hash16 h = plain_destination_hash(name_hash(app_name, {"path", "request"}));
    return h;
}

const hash16& tunnel_synthesize() noexcept {
    static const hash16 h = plain_destination_hash(name_hash(app_name, {"tunnel", "synthesize"}));
    return h;
}

} // namespace transport_destinations

} // namespace rns
