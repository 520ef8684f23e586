#include "router/datapath/fast_tables.hpp"

#include <rte_hash_crc.h>
#include <rte_lcore.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace rns::datapath {

namespace {

template <typename T> void delete_entry(void* p) noexcept { delete static_cast<T*>(p); }

// rte_hash_crc over a 16-byte key, with the key read by memcpy: workers look keys up straight
// from packet data, which has no alignment, and rte_hash_crc dereferences it as uint64_t (UB,
// flagged by UBSan). Same CRC32-C values as rte_hash_crc(key, 16, init).
std::uint32_t hash16_crc(const void* key, std::uint32_t, std::uint32_t init) noexcept {
    std::uint64_t w[2];
    std::memcpy(w, key, sizeof w);
    return rte_hash_crc_8byte(w[1], rte_hash_crc_8byte(w[0], init));
}
static_assert(sizeof(hash16) == 16);
template <typename T> void delete_key_data(void*, void* data) { delete static_cast<T*>(data); }

template <typename T>
rte_hash* make_table(const char* name, std::uint32_t entries, rcu_domain& rcu) {
    rte_hash_parameters p{};
    p.name = name;
    p.entries = entries;
    p.key_len = sizeof(hash16);
    p.hash_func = hash16_crc;
    p.socket_id = static_cast<int>(rte_socket_id());
    p.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF; // one writer, lock-free readers
    rte_hash* h = rte_hash_create(&p);
    if (h == nullptr) {
        throw std::runtime_error(std::string("cannot create fast table ") + name);
    }
    // Deleted keys (and their entries) are reclaimed after an RCU grace period.
    rte_hash_rcu_config rc{};
    rc.v = rcu.qsbr();
    rc.mode = RTE_HASH_QSBR_MODE_DQ;
    rc.free_key_data_func = delete_key_data<T>;
    if (rte_hash_rcu_qsbr_add(h, &rc) != 0) {
        throw std::runtime_error(std::string("cannot attach RCU to fast table ") + name);
    }
    return h;
}

template <typename T> void free_all(rte_hash* h) {
    const void* key = nullptr;
    void* data = nullptr;
    std::uint32_t next = 0;
    while (rte_hash_iterate(h, &key, &data, &next) >= 0) {
        delete static_cast<T*>(data);
    }
    rte_hash_free(h);
}

} // namespace

fast_tables::fast_tables(rcu_domain& rcu, sizes s)
    : _rcu(rcu), _paths(make_table<path_entry>("rns_fast_paths", s.paths, rcu)),
      _links(make_table<link_entry>("rns_fast_links", s.links, rcu)),
      _reverse(make_table<reverse_entry>("rns_fast_reverse", s.reverse, rcu)) {}

fast_tables::~fast_tables() {
    free_all<path_entry>(_paths);
    free_all<link_entry>(_links);
    free_all<reverse_entry>(_reverse);
}

template <typename T> bool fast_tables::set(rte_hash* h, const hash16& key, const T& e) {
    void* old = nullptr;
    const bool existed = rte_hash_lookup_data(h, key.data(), &old) >= 0;
    auto* fresh = new T(e);
    // With lock-free concurrency an existing key's data is replaced atomically.
    if (rte_hash_add_key_data(h, key.data(), fresh) != 0) {
        delete fresh;
        return false;
    }
    if (existed && old != nullptr) {
        _rcu.defer_free(old, delete_entry<T>);
    }
    return true;
}

bool fast_tables::set_path(const hash16& dest, const path_entry& e) { return set(_paths, dest, e); }
void fast_tables::remove_path(const hash16& dest) { (void)rte_hash_del_key(_paths, dest.data()); }
bool fast_tables::set_link(const hash16& id, const link_entry& e) { return set(_links, id, e); }
void fast_tables::remove_link(const hash16& id) { (void)rte_hash_del_key(_links, id.data()); }
bool fast_tables::set_reverse(const hash16& h, const reverse_entry& e) {
    return set(_reverse, h, e);
}
void fast_tables::remove_reverse(const hash16& h) { (void)rte_hash_del_key(_reverse, h.data()); }

} // namespace rns::datapath
