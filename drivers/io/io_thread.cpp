#include "drivers/io/io_thread.hpp"

#include <pthread.h>

namespace rns::io {

io_thread::io_thread(io_config cfg, packet_seam& seam, const char* name)
    : _engine(std::make_unique<engine>(std::move(cfg), seam)) {
    _thread = std::thread([this] {
        while (!_stop.load(std::memory_order_relaxed)) {
            _engine->poll(true);
        }
        _engine->shutdown();
    });
    pthread_setname_np(_thread.native_handle(), name);
}

io_thread::~io_thread() { stop(); }

void io_thread::stop() noexcept {
    _stop.store(true, std::memory_order_relaxed);
    if (_thread.joinable()) {
        _thread.join();
    }
}

} // namespace rns::io
