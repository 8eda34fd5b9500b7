// SPDX-License-Identifier: Apache-2.0
// Puts a running node's state files (peers.d/, networks.d/, moons.d/, roots) on disk from a thread
// of its own. Whoever learns something worth keeping is usually moving packets: the core thread, or
// an application thread receiving for it, with the node lock held. A StateDir write is an fsync of
// the file and one of its directory: half a millisecond on an idle SSD, seconds on a busy or
// stalled disk, and for all that time no packet of the node would move. So those threads only
// queue the write here.
//
// Per file the newest operation wins: a file written twice before the thread gets to it is written
// once, with the newer bytes; written then removed, it is removed. So what waits is bounded by the
// number of files the node keeps, whatever the rate of changes. Reads see what is queued.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "osdep/state_dir.hpp"

namespace zt::osdep {

class StateWriter {
  public:
    explicit StateWriter(StateDir dir);
    ~StateWriter();  // finishes what is queued first
    StateWriter(const StateWriter&) = delete;
    StateWriter& operator=(const StateWriter&) = delete;

    void write(const std::string& name, std::vector<std::uint8_t> bytes, unsigned mode);
    void remove(const std::string& name);
    // The file as it will be once the queue is written: a queued write's bytes, nothing after a
    // queued removal, else the disk's (StateDir::read).
    bool read(const std::string& name, std::vector<std::uint8_t>* out, std::size_t max_len) const;
    // Returns once everything queued before the call is on disk (or failed to get there).
    void flush();
    // Writes and removals that failed (a full disk, a directory made read-only): nothing waits for
    // them, so this is where they show.
    std::uint64_t failures() const;

  private:
    struct Operation {
        bool remove = false;
        std::vector<std::uint8_t> bytes;
        unsigned mode = 0;
    };
    void run();
    // Queued or being written: what read() answers for a file the disk does not have yet.
    const Operation* pending(const std::string& name) const;

    const StateDir dir_;
    mutable std::mutex mutex_;
    std::condition_variable work_;  // the thread waits for queued operations
    std::condition_variable done_;  // flush waits for a round to end
    std::map<std::string, Operation> queued_;
    std::map<std::string, Operation> writing_;  // the round the thread is on, taken whole from queued_
    std::uint64_t rounds_started_ = 0;
    std::uint64_t rounds_done_ = 0;
    std::uint64_t failures_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace zt::osdep
