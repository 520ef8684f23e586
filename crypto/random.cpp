#include "crypto/random.hpp"

namespace rns::crypto {

bool init() noexcept { return sodium_init() >= 0; }

} // namespace rns::crypto
