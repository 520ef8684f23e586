#pragma once
// Destination names and addresses (spec §3): "app.aspect1.aspectN" names, their 10-byte name hash,
// and the 16-byte destination hash of SINGLE, GROUP and PLAIN destinations; the transport's own
// well-known destinations.

#include "router/rns/bytes.hpp"
#include "router/rns/packet.hpp"

#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

namespace rns {

enum class direction : std::uint8_t { in = 1, out = 2 };

/// Why the reference's Destination constructor refuses a destination.
enum class destination_error : std::uint8_t {
    ok = 0,
    dot_in_app_name,          ///< "Dots can't be used in app names"
    dot_in_aspect,            ///< "Dots can't be used in aspects"
    plain_with_identity,      ///< "Selected destination type PLAIN cannot hold an identity"
    single_out_without_identity, ///< "Can't create outbound SINGLE destination without an identity"
};
const char* to_string(destination_error e) noexcept;

/// Checks a name like the reference's Destination constructor: no dots in the app name or in any
/// aspect (dots are the separator, spec §3).
[[nodiscard]] destination_error validate_name(std::string_view app_name,
                                              std::span<const std::string_view> aspects) noexcept;
/// Checks a whole constructor call: the name, then whether the type may (PLAIN may not) or must
/// (SINGLE OUT must) hold an identity.
[[nodiscard]] destination_error validate_destination(destination_type type, direction dir,
                                                     bool has_identity, std::string_view app_name,
                                                     std::span<const std::string_view> aspects) noexcept;

/// "app.aspect1...aspectN", and ".<identity hexhash>" appended when identity_hash is given
/// (Destination.expand_name; the suffix is part of the displayed name, not of the name hash).
[[nodiscard]] std::string expand_name(std::string_view app_name,
                                      std::span<const std::string_view> aspects,
                                      const hash16* identity_hash = nullptr);

/// spec §3: H(utf8("app.aspect1...aspectN"))[0:10].
[[nodiscard]] hash10 name_hash(std::string_view app_name,
                               std::span<const std::string_view> aspects) noexcept;
[[nodiscard]] hash10 name_hash(std::string_view app_name,
                               std::initializer_list<std::string_view> aspects) noexcept;

/// spec §3: T(name_hash ‖ identity_hash) for SINGLE and GROUP destinations with an identity.
[[nodiscard]] hash16 destination_hash(const hash10& name_hash, const hash16& identity_hash) noexcept;
/// spec §3: T(name_hash) for PLAIN destinations (no identity).
[[nodiscard]] hash16 plain_destination_hash(const hash10& name_hash) noexcept;

/// Well-known transport destinations (spec §3): PLAIN, identity-less, so constant.
namespace transport_destinations {
inline constexpr std::string_view app_name = "rnstransport";
/// rnstransport.path.request: where path requests are sent (spec §6.9).
[[nodiscard]] const hash16& path_request() noexcept;
/// rnstransport.tunnel.synthesize.
[[nodiscard]] const hash16& tunnel_synthesize() noexcept;
} // namespace transport_destinations

} // namespace rns
