// SPDX-License-Identifier: Apache-2.0
#include "osdep/state_writer.hpp"

#include <cerrno>
#include <utility>

#include "osdep/quiet_thread.hpp"

namespace zt::osdep {

StateWriter::StateWriter(StateDir dir) : dir_(std::move(dir)) {
    thread_ = start_quiet_thread("zt-store", [this] { run(); });
}

StateWriter::~StateWriter() {
    {
        std::lock_guard<std::mutex> g(mutex_);
        stopping_ = true;
    }
    work_.notify_one();
    thread_.join();
}

void StateWriter::write(const std::string& name, std::vector<std::uint8_t> bytes, unsigned mode) {
    {
        std::lock_guard<std::mutex> g(mutex_);
        Operation& op = queued_[name];
        op.remove = false;
        op.bytes = std::move(bytes);
        op.mode = mode;
    }
    work_.notify_one();
}

void StateWriter::remove(const std::string& name) {
    {
        std::lock_guard<std::mutex> g(mutex_);
        Operation& op = queued_[name];
        op.remove = true;
        op.bytes.clear();
    }
    work_.notify_one();
}

const StateWriter::Operation* StateWriter::pending(const std::string& name) const {
    for (const auto* ops : {&queued_, &writing_}) {  // the newer first
        const auto it = ops->find(name);
        if (it != ops->end()) return &it->second;
    }
    return nullptr;
}

bool StateWriter::read(const std::string& name, std::vector<std::uint8_t>* out, std::size_t max_len) const {
    {
        std::lock_guard<std::mutex> g(mutex_);
        if (const Operation* op = pending(name)) {
            if (op->remove || op->bytes.size() > max_len) {
                out->clear();
                return false;
            }
            *out = op->bytes;
            return true;
        }
    }
    // Not pending: on disk already (a round clears writing_ only once its files are there).
    return dir_.read(name, out, max_len);
}

void StateWriter::flush() {
    std::unique_lock<std::mutex> lock(mutex_);
    const std::uint64_t last = !queued_.empty() ? rounds_started_ + 1 : rounds_started_;
    done_.wait(lock, [&] { return rounds_done_ >= last; });
}

std::uint64_t StateWriter::failures() const {
    std::lock_guard<std::mutex> g(mutex_);
    return failures_;
}

void StateWriter::run() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        work_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
        if (queued_.empty()) return;  // stopping, and all written
        writing_.swap(queued_);
        ++rounds_started_;
        lock.unlock();
        // writing_ changes only under the lock below; read() looks into it meanwhile, as this does.
        std::uint64_t failed = 0;
        for (const auto& [name, op] : writing_) {
            bool ok = false;
            if (op.remove) {
                ok = dir_.remove(name) || errno == ENOENT;  // never written is as good as removed
            } else {
                ok = dir_.write(name, op.bytes.data(), op.bytes.size(), op.mode);
            }
            if (!ok) ++failed;
        }
        lock.lock();
        writing_.clear();
        failures_ += failed;
        ++rounds_done_;
        done_.notify_all();
    }
}

}  // namespace zt::osdep
