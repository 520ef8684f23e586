#include "router/datapath/rcu.hpp"

#include <rte_lcore.h>
#include <rte_malloc.h>

#include <stdexcept>

namespace rns::datapath {

namespace {

struct deferred {
    void* object;
    rcu_domain::free_fn fn;
};

void run_deferred(void*, void* elem, unsigned n) {
    auto* d = static_cast<deferred*>(elem);
    for (unsigned i = 0; i < n; ++i) {
        d[i].fn(d[i].object);
    }
}

} // namespace

rcu_domain::rcu_domain() {
    const std::size_t size = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
    _qsbr = static_cast<rte_rcu_qsbr*>(rte_zmalloc("rns_qsbr", size, RTE_CACHE_LINE_SIZE));
    if (_qsbr == nullptr || rte_rcu_qsbr_init(_qsbr, RTE_MAX_LCORE) != 0) {
        throw std::runtime_error("cannot create the RCU QSBR variable");
    }
    rte_rcu_qsbr_dq_parameters p{};
    p.name = "rns_rcu_dq";
    p.size = 1U << 16;
    p.esize = sizeof(deferred);
    p.trigger_reclaim_limit = 256;
    p.max_reclaim_size = 1024;
    p.free_fn = run_deferred;
    p.v = _qsbr;
    _dq = rte_rcu_qsbr_dq_create(&p);
    if (_dq == nullptr) {
        throw std::runtime_error("cannot create the RCU defer queue");
    }
}

rcu_domain::~rcu_domain() {
    if (_dq != nullptr) {
        rte_rcu_qsbr_dq_delete(_dq); // frees all after a synchronize; readers are offline by now
    }
    rte_free(_qsbr);
}

void rcu_domain::reader_online(unsigned lcore) noexcept {
    rte_rcu_qsbr_thread_register(_qsbr, lcore);
    rte_rcu_qsbr_thread_online(_qsbr, lcore);
}

void rcu_domain::reader_offline(unsigned lcore) noexcept {
    rte_rcu_qsbr_thread_offline(_qsbr, lcore);
    rte_rcu_qsbr_thread_unregister(_qsbr, lcore);
}

void rcu_domain::defer_free(void* object, free_fn fn) noexcept {
    deferred d{object, fn};
    if (rte_rcu_qsbr_dq_enqueue(_dq, &d) != 0) {
        // Queue full even after its own reclaim attempt: wait for the readers, then free now.
        synchronize();
        fn(object);
    }
}

void rcu_domain::reclaim() noexcept {
    unsigned freed = 0;
    unsigned pending = 0;
    unsigned available = 0;
    (void)rte_rcu_qsbr_dq_reclaim(_dq, 4096, &freed, &pending, &available);
}

void rcu_domain::synchronize() noexcept { rte_rcu_qsbr_synchronize(_qsbr, _writer_id); }

} // namespace rns::datapath
