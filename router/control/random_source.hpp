#pragma once
// Randomness the transport consumes (rebroadcast delays, path-request tags), injected so tests and
// the capture replay are deterministic. Control-plane only: a virtual call per use is fine here.

#include "router/rns/bytes.hpp"

#include <cstdint>
#include <span>

namespace rns::control {

class random_source {
  public:
    virtual ~random_source() = default;
    /// Uniform in [0, 1), like the reference's RNS.rand().
    [[nodiscard]] virtual double uniform() = 0;
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// Production: libsodium's CSPRNG.
class system_random final : public random_source {
  public:
    system_random();
    [[nodiscard]] double uniform() override;
    void fill(std::span<std::uint8_t> out) override;
};

/// Deterministic stream SHA-256(seed ‖ counter) for tests; not secret.
class seeded_random final : public random_source {
  public:
    explicit seeded_random(std::uint64_t seed) noexcept : _seed(seed) {}
    [[nodiscard]] double uniform() override;
    void fill(std::span<std::uint8_t> out) override;

  private:
    std::uint64_t _seed;
    std::uint64_t _counter = 0;
};

/// Returns the same value every time (fill: a counter) — for tests that pin a delay.
class fixed_random final : public random_source {
  public:
    explicit fixed_random(double value) noexcept : _value(value) {}
    [[nodiscard]] double uniform() override { return _value; }
    void fill(std::span<std::uint8_t> out) override;

  private:
    double _value;
    std::uint8_t _next = 0;
};

} // namespace rns::control
