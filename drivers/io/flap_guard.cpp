#include "drivers/io/flap_guard.hpp"

#include <cstring>

namespace rns::io {

std::size_t flap_guard::hasher::operator()(const key& k) const noexcept {
    std::uint64_t a;
    std::uint64_t b;
    std::memcpy(&a, k.data(), 8);
    std::memcpy(&b, k.data() + 8, 8);
    return static_cast<std::size_t>((a * 0x9e3779b97f4a7c15ULL) ^ (b + 0x7f4a7c159e3779b9ULL + (a << 6)));
}

bool flap_guard::blocked(const key& k, double now) {
    auto it = _entries.find(k);
    if (it == _entries.end()) {
        return false;
    }
    if (now - it->second.last_flap >= _block) {
        _entries.erase(it); // block served: the source starts afresh
        return false;
    }
    return it->second.flaps > _limit;
}

void flap_guard::closed(const key& k, double lifetime, double now) {
    if (lifetime >= _flap_seconds) {
        return;
    }
    auto it = _entries.find(k);
    if (it == _entries.end()) {
        make_room(now);
        it = _entries.emplace(k, entry{}).first;
    }
    ++it->second.flaps;
    it->second.last_flap = now;
}

void flap_guard::make_room(double now) {
    if (_entries.size() < _max) {
        return;
    }
    for (auto it = _entries.begin(); it != _entries.end();) {
        it = now - it->second.last_flap >= _block ? _entries.erase(it) : std::next(it);
    }
    if (_entries.size() < _max) {
        return;
    }
    auto stalest = _entries.begin();
    for (auto it = _entries.begin(); it != _entries.end(); ++it) {
        if (it->second.last_flap < stalest->second.last_flap) {
            stalest = it;
        }
    }
    _entries.erase(stalest);
}

} // namespace rns::io
