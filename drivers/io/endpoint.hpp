#pragma once
// Socket addresses of kernel interfaces: "A.B.C.D:PORT", "[IPv6]:PORT" or "HOST:PORT" (resolved
// once, when the configuration is read), and their text form for status output.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/socket.h>

namespace rns::io {

struct endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;

    [[nodiscard]] int family() const noexcept { return addr.ss_family; }
    [[nodiscard]] const sockaddr* sa() const noexcept { return reinterpret_cast<const sockaddr*>(&addr); }
    [[nodiscard]] std::uint16_t port() const noexcept;
};

/// Parses ADDR:PORT; IPv6 literals in brackets. With resolve, a host name is looked up
/// (getaddrinfo, first result); without, only literals are accepted. Error text in *error.
[[nodiscard]] std::optional<endpoint> parse_endpoint(std::string_view text, bool resolve, std::string* error);

/// "1.2.3.4:5" or "[::1]:5".
[[nodiscard]] std::string to_string(const endpoint& e);
[[nodiscard]] std::string to_string(const sockaddr_storage& a);

/// The address part only, as 16 bytes (IPv4 mapped into ::ffff:0:0/96): the key of the flap
/// guard, which tracks sources by address whatever their port.
[[nodiscard]] std::array<std::uint8_t, 16> address_key(const sockaddr_storage& a) noexcept;

} // namespace rns::io
