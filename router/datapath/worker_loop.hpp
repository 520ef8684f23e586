#pragma once
// The worker loop: walk the graph, report an RCU quiescent state, until told to stop (DPDK's
// `while (!quit) rte_graph_walk(graph);`). worker_pool launches it on every worker lcore and owns
// the launched lcores: its destructor stops and joins them, so an error anywhere after the launch
// still unwinds cleanly.

#include "router/datapath/dataplane.hpp"

#include <atomic>
#include <vector>

namespace rns::datapath {

/// One walk of a worker's graph, then its quiescent report (no table reference is held after).
inline void walk_once(worker_ctx& w, rcu_domain& rcu) noexcept {
    rte_graph_walk(w.graph);
    rcu.quiescent(w.lcore);
}

class worker_pool {
  public:
    /// With worker lcores: launches the worker loop on each. Without (main_is_worker): the main
    /// lcore walks dp.workers[0] itself (control loop) and joins the RCU domain as a reader.
    /// Throws std::runtime_error when an lcore cannot be launched (those launched are joined).
    worker_pool(dataplane& dp, bool main_is_worker, std::atomic<bool>& quit);
    ~worker_pool();
    worker_pool(const worker_pool&) = delete;
    worker_pool& operator=(const worker_pool&) = delete;

    /// Sets quit and waits for every worker lcore. Idempotent.
    void stop() noexcept;

    /// The worker the main lcore walks, or nullptr when the workers have lcores of their own.
    [[nodiscard]] worker_ctx* main_worker() const noexcept {
        return _main_is_worker ? _dp.workers[0] : nullptr;
    }

  private:
    struct args {
        worker_ctx* w;
        rcu_domain* rcu;
        const std::atomic<bool>* quit;
    };
    static int loop(void* arg);

    dataplane& _dp;
    bool _main_is_worker;
    std::atomic<bool>& _quit;
    std::vector<args> _args;
    bool _stopped = false;
};

} // namespace rns::datapath
