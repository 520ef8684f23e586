#include "router/rns/identity.hpp"

#include "crypto/hmac.hpp"
#include "crypto/random.hpp"
#include "crypto/sha256.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace rns {

const char* to_string(decrypt_error e) noexcept {
    switch (e) {
    case decrypt_error::none:
        return "ok";
    case decrypt_error::no_private_key:
        return "identity has no private key";
    case decrypt_error::too_short:
        return "ciphertext too short";
    case decrypt_error::ratchet_required:
        return "no ratchet decrypted the token and ratchets are enforced";
    case decrypt_error::key_exchange:
        return "X25519 key exchange failed";
    case decrypt_error::bad_token:
        return "token rejected";
    }
    return "unknown";
}

identity identity::generate() {
    byte_array<64> prv = crypto::random_array<64>();
    identity id = *from_private_key(prv);
    sodium_memzero(prv.data(), prv.size());
    return id;
}

std::optional<identity> identity::from_private_key(byte_view private_key) {
    if (private_key.size() != identity_key_size) {
        return std::nullopt;
    }
    identity id;
    std::copy_n(private_key.begin(), 32, id._x25519_prv.begin());
    crypto::ed25519_seed seed = take<32>(private_key.subspan(32));
    id._signer.emplace(seed);
    sodium_memzero(seed.data(), seed.size());
    id.set_public(crypto::x25519_public_from_private(id._x25519_prv), id._signer->public_key());
    return id;
}

namespace {

std::string errno_text(const char* what, const std::string& path) {
    return std::string(what) + " " + path + ": " + std::strerror(errno);
}

} // namespace

identity_file_result identity::from_file(const std::string& path) {
    identity_file_result r;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        r.error = errno_text("cannot open", path);
        return r;
    }
    // Read one byte more than a key so that a longer file is refused, not truncated.
    byte_array<identity_key_size + 1> buf{};
    std::size_t got = 0;
    while (got < buf.size()) {
        const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            r.error = errno_text("cannot read", path);
            break;
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (r.error.empty() && got != identity_key_size) {
        r.error = path + ": an identity file holds exactly 64 bytes, found " +
                  (got > identity_key_size ? std::string("more") : std::to_string(got));
    }
    if (r.error.empty()) {
        r.id = from_private_key(byte_view(buf).first(identity_key_size));
    }
    sodium_memzero(buf.data(), buf.size());
    return r;
}

identity_file_result identity::from_file_or_create(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        return from_file(path);
    }
    identity_file_result r;
    if (errno != ENOENT) {
        r.error = errno_text("cannot stat", path);
        return r;
    }
    identity id = generate();
    if (auto w = id.to_file(path); !w) {
        r.error = w.error;
        return r;
    }
    r.id = std::move(id);
    r.created = true;
    return r;
}

identity_write_result identity::to_file(const std::string& path) const {
    if (!_signer) {
        return {path + ": a public-only identity has no private key to write"};
    }
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0) {
        return {errno_text("cannot create", tmp)};
    }
    byte_array<64> key = private_key();
    std::size_t done = 0;
    while (done < key.size()) {
        const ssize_t n = ::write(fd, key.data() + done, key.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    sodium_memzero(key.data(), key.size());
    std::string error;
    if (done != key.size() || ::fsync(fd) != 0) {
        error = errno_text("cannot write", tmp);
    }
    if (::close(fd) != 0 && error.empty()) {
        error = errno_text("cannot close", tmp);
    }
    if (error.empty() && ::rename(tmp.c_str(), path.c_str()) != 0) {
        error = errno_text("cannot rename to", path);
    }
    if (!error.empty()) {
        ::unlink(tmp.c_str());
    }
    return {error};
}

std::optional<identity> identity::from_public_key(byte_view public_key) {
    if (public_key.size() != identity_key_size) {
        return std::nullopt;
    }
    identity id;
    id.set_public(take<32>(public_key), take<32>(public_key.subspan(32)));
    return id;
}

void identity::set_public(const crypto::x25519_public& x, const crypto::ed25519_public& ed) noexcept {
    _x25519_pub = x;
    _ed25519_pub = ed;
    _hash = crypto::truncated_hash({byte_view(_x25519_pub), byte_view(_ed25519_pub)});
}

void identity::wipe() noexcept {
    sodium_memzero(_x25519_prv.data(), _x25519_prv.size());
    _signer.reset(); // the signer wipes its own secret
}

identity::~identity() { wipe(); }

identity::identity(const identity&) = default;
identity& identity::operator=(const identity&) = default;

identity::identity(identity&& other) noexcept
    : _x25519_prv(other._x25519_prv), _signer(other._signer), _x25519_pub(other._x25519_pub),
      _ed25519_pub(other._ed25519_pub), _hash(other._hash) {
    other.wipe();
}

identity& identity::operator=(identity&& other) noexcept {
    if (this != &other) {
        _x25519_prv = other._x25519_prv;
        _signer = other._signer;
        _x25519_pub = other._x25519_pub;
        _ed25519_pub = other._ed25519_pub;
        _hash = other._hash;
        other.wipe();
    }
    return *this;
}

byte_array<64> identity::private_key() const noexcept {
    byte_array<64> out{};
    if (!_signer) {
        return out;
    }
    std::copy(_x25519_prv.begin(), _x25519_prv.end(), out.begin());
    const crypto::ed25519_seed seed = _signer->seed();
    std::copy(seed.begin(), seed.end(), out.begin() + 32);
    return out;
}

byte_array<64> identity::public_key() const noexcept {
    byte_array<64> out{};
    std::copy(_x25519_pub.begin(), _x25519_pub.end(), out.begin());
    std::copy(_ed25519_pub.begin(), _ed25519_pub.end(), out.begin() + 32);
    return out;
}

ed25519_signature identity::sign(byte_view msg) const noexcept {
    if (!_signer) {
        return ed25519_signature{};
    }
    return _signer->sign(msg);
}

bool identity::verify(byte_view signature, byte_view msg) const noexcept {
    return crypto::ed25519_verify(_ed25519_pub, msg, signature);
}

byte_array<64> identity::derive_key(const byte_array<32>& shared, const hash16& salt) noexcept {
    byte_array<64> key;
    crypto::hkdf(key, shared, salt);
    return key;
}

bytes identity::encrypt(byte_view plaintext,
                        const std::optional<crypto::x25519_public>& ratchet_public) const {
    crypto::x25519_private eph = crypto::random_array<32>();
    bytes out = encrypt(plaintext, eph, crypto::random_array<16>(), ratchet_public);
    sodium_memzero(eph.data(), eph.size());
    return out;
}

bytes identity::encrypt(byte_view plaintext, const crypto::x25519_private& ephemeral_private,
                        const byte_array<16>& iv,
                        const std::optional<crypto::x25519_public>& ratchet_public) const {
    // spec §2.5: the target is the ratchet when one is known; the salt is always the identity hash.
    const crypto::x25519_public& target = ratchet_public ? *ratchet_public : _x25519_pub;
    auto shared = crypto::x25519_shared(ephemeral_private, target);
    if (!shared) {
        return {};
    }
    byte_array<64> key = derive_key(*shared, _hash);
    sodium_memzero(shared->data(), shared->size());
    const crypto::token tok(key);
    sodium_memzero(key.data(), key.size());

    const crypto::x25519_public eph_pub = crypto::x25519_public_from_private(ephemeral_private);
    bytes body = tok.encrypt(plaintext, iv);
    if (body.empty()) {
        return {};
    }
    bytes out;
    out.reserve(eph_pub.size() + body.size());
    out.insert(out.end(), eph_pub.begin(), eph_pub.end());
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

std::optional<bytes> identity::try_decrypt(const crypto::x25519_private& prv,
                                           const crypto::x25519_public& peer, byte_view token,
                                           decrypt_result& res) const {
    auto shared = crypto::x25519_shared(prv, peer);
    if (!shared) {
        res.error = decrypt_error::key_exchange;
        return std::nullopt;
    }
    byte_array<64> key = derive_key(*shared, _hash);
    sodium_memzero(shared->data(), shared->size());
    const crypto::token tok(key);
    sodium_memzero(key.data(), key.size());
    auto r = tok.decrypt(token);
    if (!r) {
        res.error = decrypt_error::bad_token;
        res.token_error = r.error;
        return std::nullopt;
    }
    return std::move(r.plaintext);
}

decrypt_result identity::decrypt(byte_view ciphertext, std::span<const crypto::x25519_private> ratchets,
                                 bool enforce_ratchets) const {
    decrypt_result res;
    if (!_signer) {
        res.error = decrypt_error::no_private_key;
        return res;
    }
    // spec §2.6: the input must be longer than the 32-byte ephemeral key.
    if (ciphertext.size() <= 32) {
        res.error = decrypt_error::too_short;
        return res;
    }
    const crypto::x25519_public peer = take<32>(ciphertext);
    const byte_view token = ciphertext.subspan(32);

    for (const auto& ratchet : ratchets) {
        if (auto pt = try_decrypt(ratchet, peer, token, res)) {
            res.plaintext = std::move(pt);
            res.error = decrypt_error::none;
            res.ratchet_used = ratchet_id_of(ratchet_public(ratchet));
            return res;
        }
    }
    if (enforce_ratchets) {
        res.error = decrypt_error::ratchet_required;
        return res;
    }
    res.plaintext = try_decrypt(_x25519_prv, peer, token, res);
    if (res.plaintext) {
        res.error = decrypt_error::none;
    }
    return res;
}

crypto::x25519_private identity::generate_ratchet() { return crypto::random_array<32>(); }

crypto::x25519_public identity::ratchet_public(const crypto::x25519_private& prv) noexcept {
    return crypto::x25519_public_from_private(prv);
}

ratchet_id identity::ratchet_id_of(const crypto::x25519_public& ratchet_pub) noexcept {
    return take<ratchet_id_size>(crypto::sha256(ratchet_pub));
}

} // namespace rns
