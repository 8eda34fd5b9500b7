// SPDX-License-Identifier: Apache-2.0
// Threads the library starts for itself (the node's core thread, the event dispatcher, the port
// mapper, lwIP's) leave the process's signals to the application's threads.
//
// The kernel hands a signal sent to the process (SIGINT from a terminal, SIGTERM from a supervisor)
// to any one thread that does not block it. Python runs its handlers in the main thread, and when
// the signal lands on another thread its C-level handler only notes it: a main thread asleep in a
// system call (time.sleep, Event.wait, a blocking recv) sleeps on, and Ctrl-C or a stop request
// goes unanswered. Many C programs likewise expect signals on the threads they made. So our threads
// block every signal but those a fault raises in the thread itself. They are also named, for
// `top -H`, /proc/PID/task/*/comm and debuggers.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <cstring>
#include <thread>
#include <utility>

namespace zt::osdep {

// `name`: at most 15 characters are kept (the kernel's limit).
template <class Body>
std::thread start_quiet_thread(const char* name, Body&& body) {
    sigset_t blocked;
    sigfillset(&blocked);
    for (int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS, SIGABRT}) sigdelset(&blocked, fault);
    sigset_t callers;
    pthread_sigmask(SIG_BLOCK, &blocked, &callers);  // the new thread inherits the mask in force
    struct RestoreMask {
        const sigset_t& mask;
        ~RestoreMask() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
    } restore{callers};  // also if the thread cannot be made (std::system_error)
    std::thread thread(std::forward<Body>(body));
    char short_name[16] = {};
    std::strncpy(short_name, name != nullptr ? name : "zt", sizeof short_name - 1);
    pthread_setname_np(thread.native_handle(), short_name);
    return thread;
}

// While a quiet thread runs the application's code (an event handler), the application's signal
// mask is in force, as on the application's own threads: what that code starts, a child process
// above all, inherits the mask of the thread it was started from (a child with SIGTERM blocked
// would outlive terminate()).
class ApplicationSignalMask {
  public:
    explicit ApplicationSignalMask(const sigset_t& application) {
        pthread_sigmask(SIG_SETMASK, &application, &quiet_);
    }
    ~ApplicationSignalMask() { pthread_sigmask(SIG_SETMASK, &quiet_, nullptr); }
    ApplicationSignalMask(const ApplicationSignalMask&) = delete;
    ApplicationSignalMask& operator=(const ApplicationSignalMask&) = delete;

  private:
    sigset_t quiet_;
};

}  // namespace zt::osdep
