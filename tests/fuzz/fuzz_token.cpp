// libFuzzer target: Token and Identity decryption on arbitrary bytes (spec §2.4-2.6).
// The first input byte picks what the rest is fed to:
//   0: identity decrypt (fixed recipient, ratchet list; not enforced, enforced, none)
//   1: symmetric Token decrypt with a fixed key
//   2: IV ‖ ciphertext given a VALID HMAC here, so the AES and unpadding paths see arbitrary blocks
//   3: round trip: encrypt the rest (Token and Identity), decryption must give it back
// The fixed keys are those of token.json's decrypt_only[0..6] and symmetric[0], so the seed corpus
// (tests/fuzz/corpus/token/) starts from tokens that really decrypt.

#include "crypto/hmac.hpp"
#include "crypto/random.hpp"
#include "crypto/token.hpp"
#include "router/rns/identity.hpp"

#include <array>
#include <cstdint>
#include <cstdlib>

namespace {

using namespace rns;

struct fixture {
    identity recipient = *identity::from_private_key(*from_hex(
        "8e656dd7b792520f1fec795dcf3a57ad8d53b8b63ca778ba42f5ae2c7c1cf398"
        "00ec9a787d874cfb9df331af34396bf0f01df88315deaf8628604129fa1cb092"));
    std::array<crypto::x25519_private, 4> ratchets{
        *array_from_hex<32>("a6bc7cfe29d8f4c782e0d1491d7bb0ba4990948b50359b86a0dc6bff0b815000"),
        *array_from_hex<32>("df312e34f24176e74b78c62c0d17a0a297319c68c169bf1c634c61492302a248"),
        *array_from_hex<32>("39f4a248cdbeb31d3915dded78a1e19ba45cb9beb6b40d7990637b32b55d693b"),
        *array_from_hex<32>("062a513bca0d981352ae7eee259421be13160adaeafda21f5007654320f9412b"),
    };
    bytes key = *from_hex("a4d46d669e8f0e729f0f5212822190dcd37faf07e343e52c7918b514210845ba"
                          "70e1ca343906dcc6e2c52e52804b4fd98e0b008a6809b5a784dc8dabf970f4ec");
    crypto::token tok{key};
};

const fixture& fx() {
    static const fixture f = [] {
        if (!crypto::init()) {
            std::abort();
        }
        return fixture{};
    }();
    return f;
}

void require(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

// A successful decrypt never returns more than the ciphertext held.
void check_bound(const crypto::token::result& r, std::size_t token_size) {
    if (r) {
        require(r.plaintext->size() + crypto::token_overhead <= token_size);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const fixture& f = fx();
    const byte_view in(data + 1, size - 1);
    switch (data[0] % 4) {
    case 0: {
        for (int mode = 0; mode < 3; ++mode) {
            const std::span<const crypto::x25519_private> ratchets =
                mode == 2 ? std::span<const crypto::x25519_private>{} : std::span(f.ratchets);
            auto r = f.recipient.decrypt(in, ratchets, mode == 1);
            require(r.plaintext.has_value() == (r.error == decrypt_error::none));
            if (r) {
                require(r.plaintext->size() + 32 + crypto::token_overhead <= in.size());
            }
            require(!r.ratchet_used || r);
        }
        break;
    }
    case 1:
        check_bound(f.tok.decrypt(in), in.size());
        break;
    case 2: {
        const hash32 mac = crypto::hmac_sha256(byte_view(f.key).first(32), in);
        const bytes t = concat({in, mac});
        auto r = f.tok.decrypt(t);
        check_bound(r, t.size());
        // With a valid HMAC, the only failures left are length and padding.
        require(r || r.error == crypto::token_error::bad_length ||
                r.error == crypto::token_error::bad_padding || r.error == crypto::token_error::too_short);
        break;
    }
    default: {
        byte_array<16> iv{};
        byte_array<32> eph{};
        for (std::size_t i = 0; i < in.size(); ++i) {
            iv[i % 16] ^= in[i];
            eph[i % 32] += in[i];
        }
        auto r = f.tok.decrypt(f.tok.encrypt(in, iv));
        require(r && equal(*r.plaintext, in));
        // The recipient's key is a prime-order point: no clamped scalar gives a zero secret.
        const bytes c = f.recipient.encrypt(in, eph, iv);
        require(!c.empty());
        auto d = f.recipient.decrypt(c);
        require(d && equal(*d.plaintext, in) && !d.ratchet_used);
        break;
    }
    }
    return 0;
}
