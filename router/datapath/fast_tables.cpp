#include "router/datapath/fast_tables.hpp"

#include <rte_lcore.h>
#include <rte_malloc.h>

#include <random>
#include <stdexcept>
#include <string>

namespace rns::datapath {

namespace {

void* eal_zalloc(const char* what, std::size_t bytes, const char* flag) {
    void* p = rte_zmalloc_socket(what, bytes, RTE_CACHE_LINE_SIZE, static_cast<int>(rte_socket_id()));
    if (p == nullptr) {
        throw std::runtime_error(std::string("cannot allocate the ") + what + " (" +
                                 std::to_string(bytes >> 20) + " MiB; " + flag + " sets its size)");
    }
    return p;
}

std::uint64_t random_seed() {
    std::random_device rd;
    return std::uint64_t{rd()} << 32 | rd();
}

} // namespace

void fast_tables::eal_free::operator()(void* p) const noexcept { rte_free(p); }

fast_tables::fast_tables(sizes s)
    : _route_memory(eal_zalloc("forwarding table", forward_table::bytes_for(s.routes), "--fast-entries")),
      _hash_memory(eal_zalloc("packet-hash table", packet_hash_table::bytes_for(s.packet_hashes), "--packet-hashes")),
      routes(_route_memory.get(), s.routes, random_seed()),
      hashes(_hash_memory.get(), s.packet_hashes, s.dedup_rotate_at, s.writers) {}

} // namespace rns::datapath
