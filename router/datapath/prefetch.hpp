#pragma once
// A software prefetch that the compiler keeps. GCC 12 at -O2 deleted
// `__builtin_prefetch(&_slots[index_of(key)])` in forward_table (no prefetch instruction left in
// dedup: `objdump -d` of rnsrouter), so every forwarding-table lookup missed the cache: ~600
// cycles of dedup's ~760 per packet (perf annotate, tools/bench forward). An asm statement with a
// memory operand cannot be dropped. DPDK-free, like the tables that use it.

namespace rns::datapath {

/// Starts loading the cache line holding p into every cache level.
inline void prefetch_line(const void* p) noexcept {
#if defined(__x86_64__) || defined(__i386__)
    asm volatile("prefetcht0 %0" : : "m"(*static_cast<const volatile char*>(p)));
#else
    __builtin_prefetch(p);
#endif
}

} // namespace rns::datapath
