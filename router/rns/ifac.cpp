#include "router/rns/ifac.hpp"

#include "crypto/hmac.hpp"
#include "crypto/sha256.hpp"

#include <sodium.h>

#include <cstring>

namespace rns::ifac {

const char* to_string(verdict v) noexcept {
    switch (v) {
    case verdict::ok: return "ok";
    case verdict::too_short: return "too_short";
    case verdict::flag_clear: return "flag_clear";
    case verdict::flag_set: return "flag_set";
    case verdict::no_room: return "no_room";
    case verdict::mismatch: return "mismatch";
    case verdict::out_too_small: return "out_too_small";
    }
    return "unknown";
}

// ---------------------------------------------------------------------------------------------
// mask_stream: HKDF-Expand with empty info, T(i) = HMAC(PRK, T(i-1) ‖ i mod 256) (spec §2.3).

mask_stream::mask_stream(byte_view ikm, byte_view s) noexcept
    : _prk(crypto::hmac_sha256(s, ikm)), _pos(_block.size()) {}

mask_stream::~mask_stream() {
    sodium_memzero(_prk.data(), _prk.size());
    sodium_memzero(_block.data(), _block.size());
}

void mask_stream::refill() noexcept {
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, _prk.data(), _prk.size());
    if (_started) { // T(1) has no previous block; every later one chains it
        crypto_auth_hmacsha256_update(&st, _block.data(), _block.size());
    }
    ++_counter; // wraps at 256 like the reference's (i + 1) % 256
    crypto_auth_hmacsha256_update(&st, &_counter, 1);
    crypto_auth_hmacsha256_final(&st, _block.data());
    sodium_memzero(&st, sizeof st);
    _started = true;
    _pos = 0;
}

// ---------------------------------------------------------------------------------------------
// key derivation (spec §9.1)

bytes origin(std::optional<std::string_view> network_name, std::optional<std::string_view> passphrase) {
    bytes out;
    if (network_name) {
        auto h = crypto::sha256(as_bytes(*network_name));
        out.insert(out.end(), h.begin(), h.end());
    }
    if (passphrase) {
        auto h = crypto::sha256(as_bytes(*passphrase));
        out.insert(out.end(), h.begin(), h.end());
    }
    return out;
}

key::key(const byte_array<64>& k, std::size_t size, identity id) : _key(k), _size(size), _identity(std::move(id)) {}

std::optional<key> key::from_ifac_key(const byte_array<64>& ifac_key, std::size_t size) {
    if (size < min_size || size > max_size) {
        return std::nullopt;
    }
    // The IFAC identity's private key is the ifac_key itself: X25519 ‖ Ed25519 seed (spec §9.1).
    auto id = identity::from_private_key(ifac_key);
    if (!id) {
        return std::nullopt;
    }
    return key(ifac_key, size, std::move(*id));
}

std::optional<key> key::derive(std::optional<std::string_view> network_name,
                               std::optional<std::string_view> passphrase, std::size_t size) {
    if (!network_name && !passphrase) {
        return std::nullopt;
    }
    bytes o = origin(network_name, passphrase);
    hash32 origin_hash = crypto::sha256(o);
    byte_array<64> k{};
    crypto::hkdf(k, origin_hash, salt);
    auto res = from_ifac_key(k, size);
    sodium_memzero(k.data(), k.size());
    return res;
}

ed25519_signature key::published_signature() const noexcept {
    return _identity.sign(crypto::sha256(_key));
}

void key::compute_code(byte_view raw, std::span<std::uint8_t> code) const noexcept {
    ed25519_signature sig = _identity.sign(raw);
    std::memcpy(code.data(), sig.data() + sig.size() - _size, _size);
}

// spec §9.2
std::size_t key::apply(byte_view raw, std::span<std::uint8_t> out) const noexcept {
    const std::size_t n = _size;
    if (raw.size() <= 2 || out.size() < raw.size() + n) {
        return 0;
    }
    byte_array<max_size> code{};
    compute_code(raw, code);
    const std::uint8_t h0 = raw[0];
    const std::uint8_t h1 = raw[1];
    // new = (raw[0] | 0x80) ‖ raw[1] ‖ ifac ‖ raw[2:]; memmove handles out aliasing raw.
    std::memmove(out.data() + 2 + n, raw.data() + 2, raw.size() - 2);
    std::memcpy(out.data() + 2, code.data(), n);
    const std::size_t total = raw.size() + n;
    mask_stream mask(byte_view(code.data(), n), _key);
    out[0] = static_cast<std::uint8_t>(((h0 | 0x80) ^ mask.next()) | 0x80);
    out[1] = static_cast<std::uint8_t>(h1 ^ mask.next());
    for (std::size_t i = 2; i < 2 + n; ++i) {
        (void)mask.next(); // the code itself is not masked, but the mask index advances
    }
    for (std::size_t i = 2 + n; i < total; ++i) {
        out[i] ^= mask.next();
    }
    return total;
}

verdict check_plain(byte_view wire) noexcept {
    if (wire.size() <= 2) {
        return verdict::too_short;
    }
    if ((wire[0] & 0x80) != 0) {
        return verdict::flag_set;
    }
    return verdict::ok;
}

// spec §9.3
verdict key::verify(byte_view wire, std::span<std::uint8_t> out, std::size_t& out_len) const noexcept {
    const std::size_t n = _size;
    if (wire.size() <= 2) {
        return verdict::too_short;
    }
    if ((wire[0] & 0x80) == 0) {
        return verdict::flag_clear;
    }
    if (wire.size() <= 2 + n) {
        return verdict::no_room;
    }
    if (out.size() < wire.size() - n) {
        return verdict::out_too_small;
    }
    byte_array<max_size> code{};
    std::memcpy(code.data(), wire.data() + 2, n);
    mask_stream mask(byte_view(code.data(), n), _key);
    const std::uint8_t w1 = wire[1];
    out[0] = static_cast<std::uint8_t>((wire[0] ^ mask.next()) & 0x7f);
    out[1] = static_cast<std::uint8_t>(w1 ^ mask.next());
    for (std::size_t i = 2; i < 2 + n; ++i) {
        (void)mask.next();
    }
    // Forward copy reads ahead of where it writes, so out may alias wire.
    const std::size_t len = wire.size() - n;
    for (std::size_t j = 2; j < len; ++j) {
        out[j] = static_cast<std::uint8_t>(wire[j + n] ^ mask.next());
    }
    byte_array<max_size> expected{};
    compute_code(byte_view(out.data(), len), expected);
    if (sodium_memcmp(expected.data(), code.data(), n) != 0) {
        return verdict::mismatch;
    }
    out_len = len;
    return verdict::ok;
}

} // namespace rns::ifac
