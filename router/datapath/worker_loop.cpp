#include "router/datapath/worker_loop.hpp"

#include <rte_launch.h>
#include <rte_lcore.h>

#include <stdexcept>
#include <string>

namespace rns::datapath {

int worker_pool::loop(void* arg) {
    const auto* a = static_cast<const args*>(arg);
    a->rcu->reader_online(a->w->lcore);
    while (!a->quit->load(std::memory_order_relaxed)) {
        walk_once(*a->w, *a->rcu);
    }
    a->rcu->reader_offline(a->w->lcore);
    return 0;
}

worker_pool::worker_pool(dataplane& dp, bool main_is_worker, std::atomic<bool>& quit)
    : _dp(dp), _main_is_worker(main_is_worker), _quit(quit) {
    if (_main_is_worker) {
        const unsigned lcore = _dp.workers[0]->lcore;
        _dp.rcu->reader_online(lcore);
        _dp.rcu->set_writer_reader_id(lcore);
        return;
    }
    _args.reserve(_dp.workers.size()); // the lcores keep pointers into it
    for (worker_ctx* w : _dp.workers) {
        _args.push_back({w, _dp.rcu, &_quit});
        if (rte_eal_remote_launch(loop, &_args.back(), w->lcore) != 0) {
            stop();
            throw std::runtime_error("cannot launch worker lcore " + std::to_string(w->lcore));
        }
    }
}

worker_pool::~worker_pool() { stop(); }

void worker_pool::stop() noexcept {
    if (_stopped) {
        return;
    }
    _stopped = true;
    _quit.store(true, std::memory_order_relaxed);
    rte_eal_mp_wait_lcore();
    if (_main_is_worker) {
        _dp.rcu->reader_offline(_dp.workers[0]->lcore);
    }
}

} // namespace rns::datapath
