#pragma once
// RCU (QSBR) domain shared by the control plane (the only writer of fast-path tables) and the
// worker lcores (lock-free readers). Readers report a quiescent state after each graph walk;
// the writer frees replaced or removed table entries only after every reader has done so.

#include <rte_rcu_qsbr.h>

#include <cstdint>

namespace rns::datapath {

class rcu_domain {
  public:
    using free_fn = void (*)(void* object) noexcept;

    rcu_domain();
    ~rcu_domain();
    rcu_domain(const rcu_domain&) = delete;
    rcu_domain& operator=(const rcu_domain&) = delete;

    [[nodiscard]] rte_rcu_qsbr* qsbr() const noexcept { return _qsbr; }

    /// A reader thread (identified by its lcore id) joins / leaves the domain.
    void reader_online(unsigned lcore) noexcept;
    void reader_offline(unsigned lcore) noexcept;
    /// Reader: no table reference is held across this call (end of a graph walk).
    void quiescent(unsigned lcore) noexcept { rte_rcu_qsbr_quiescent(_qsbr, lcore); }

    /// Writer: frees object with fn once all readers have passed a quiescent state. `self` is the
    /// writer's own reader id when it is also a reader (one-lcore mode), else RTE_QSBR_THRID_INVALID.
    void defer_free(void* object, free_fn fn) noexcept;
    /// Writer: frees whatever is ready (non-blocking).
    void reclaim() noexcept;
    /// Writer: waits for all readers (used at shutdown and when the defer queue is full).
    void synchronize() noexcept;

    void set_writer_reader_id(unsigned id) noexcept { _writer_id = id; }

  private:
    rte_rcu_qsbr* _qsbr = nullptr;
    rte_rcu_qsbr_dq* _dq = nullptr;
    unsigned _writer_id = RTE_QSBR_THRID_INVALID;
};

} // namespace rns::datapath
