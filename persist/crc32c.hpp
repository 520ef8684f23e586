#pragma once
// CRC32C (Castagnoli), the checksum of every record and snapshot file in the state directory: it
// detects torn and corrupted writes (persist/README.md). Software table; SSE4.2 when the CPU has it.

#include "router/rns/bytes.hpp"

#include <cstdint>

namespace persist {

/// CRC32C of data, continuing from a previous value (start with 0).
[[nodiscard]] std::uint32_t crc32c(rns::byte_view data, std::uint32_t crc = 0) noexcept;

/// The table-driven implementation alone (a second code path the tests compare against).
[[nodiscard]] std::uint32_t crc32c_portable(rns::byte_view data, std::uint32_t crc = 0) noexcept;

} // namespace persist
