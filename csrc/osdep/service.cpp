// SPDX-License-Identifier: Apache-2.0
#include "osdep/service.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "net/stack.hpp"
#include "osdep/local_addresses.hpp"
#include "osdep/clock.hpp"
#include "osdep/quiet_thread.hpp"
#include "zt/crypto.hpp"
#include "zt/dictionary.hpp"

namespace zt::osdep {

namespace {
constexpr int kMaxEpollEvents = 8;
constexpr unsigned kRandomPortTrials = 256;
constexpr std::int64_t kRelayRecentSendWindow = 60000;
// identity.secret holds one line of about 270 characters; a file past this is not one.
constexpr std::size_t kIdentityFileMaxLen = 4096;

// A secret identity we may run as: well formed, its address derived from its public key, and its
// private key the one behind that public key (locally_validate checks both).
bool usable_secret_identity(std::string_view text, Identity* out) {
    const char* why = nullptr;
    return Identity::from_string(text, out, &why) && out->has_private() && out->locally_validate();
}

void watch_readable(int epoll_fd, int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);  // EEXIST for a descriptor already watched
}

std::int64_t steady_us() {
    using namespace std::chrono;
    return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

// The eventfds that wake the core thread and an assisting thread: one signal, one drain.
void signal_eventfd(int fd) {
    const std::uint64_t one = 1;
    ssize_t ignored = ::write(fd, &one, sizeof one);
    (void)ignored;
}

void drain_eventfd(int fd) {
    std::uint64_t v = 0;
    ssize_t ignored = ::read(fd, &v, sizeof v);
    (void)ignored;
}
}  // namespace

Service::Service(ServiceConfig config, ServiceListener& listener)
    : config_(std::move(config)), listener_(listener) {
    if (!config_.storage_path.empty()) {
        state_.emplace(config_.storage_path);
        state_writer_ = std::make_unique<StateWriter>(*state_);
    }
}

Service::~Service() { stop(); }

bool Service::load_identity() {
    if (!config_.identity_secret.empty()) {
        if (!usable_secret_identity(config_.identity_secret, &identity_)) {
            error_text_ = "the identity given to zts_init_from_memory is not a valid secret identity";
            return false;
        }
        return true;
    }
    if (state_ && !load_stored_identity()) return false;
    if (!identity_.is_null()) return true;
    identity_ = Identity::generate(1);
    const std::string secret = identity_.to_string(true);
    const std::string pub = identity_.to_string(false);
    if (state_ && config_.cache_identity) {
        if (!state_->write("identity.secret", secret.data(), secret.size(), 0600) ||
            !state_->write("identity.public", pub.data(), pub.size(), 0644)) {
            error_text_ = "cannot write the identity to the storage directory";
            return false;
        }
    }
    listener_.on_store("identity.secret", std::vector<std::uint8_t>(secret.begin(), secret.end()));
    listener_.on_store("identity.public", std::vector<std::uint8_t>(pub.begin(), pub.end()));
    return true;
}

bool Service::load_stored_identity() {
    // Only an absent file may be replaced by a new identity: anything else that stands at that name
    // is somebody's key (a controller's is what its networks are named after), so the node refuses
    // to start and leaves the file alone.
    const std::string file = state_->path() + "/identity.secret";
    const char* const untouched = "; the node did not start and left the file as it is";
    std::vector<std::uint8_t> bytes;
    int error_number = 0;
    switch (state_->read_file("identity.secret", &bytes, kIdentityFileMaxLen, &error_number)) {
        case StateDir::ReadResult::kAbsent:
            return true;
        case StateDir::ReadResult::kTooLarge:
            error_text_ = file + ": larger than " + std::to_string(kIdentityFileMaxLen) +
                          " bytes, so not an identity file" + untouched;
            return false;
        case StateDir::ReadResult::kFailed:
            error_text_ = file + ": cannot be read (" + std::strerror(error_number) + ")" + untouched;
            return false;
        case StateDir::ReadResult::kOk:
            break;
    }
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    const std::size_t end = text.find_last_not_of(" \r\n\t");
    if (end == std::string_view::npos || !usable_secret_identity(text.substr(0, end + 1), &identity_)) {
        identity_ = Identity();
        error_text_ = file +
                      ": not a valid secret identity (address:0:public:private, the address derived from the "
                      "public key and the private key matching it)" +
                      untouched;
        return false;
    }
    return true;
}

bool Service::load_world(World* out) {
    const char* why = nullptr;
    if (!config_.roots.empty()) {
        if (!World::parse_exact(config_.roots.data(), config_.roots.size(), out, &why) ||
            out->type != World::Type::kPlanet) {
            error_text_ = "the roots given to zts_init_set_roots are not a valid planet";
            return false;
        }
        if (state_ && config_.cache_roots) state_->write("roots", config_.roots.data(), config_.roots.size(), 0644);
        return true;
    }
    std::vector<std::uint8_t> bytes;
    if (state_ && (state_->read("roots", &bytes, kWorldMaxSerializedLen + 1) ||
                   state_->read("planet", &bytes, kWorldMaxSerializedLen + 1))) {
        if (World::parse_exact(bytes.data(), bytes.size(), out, &why) && out->type == World::Type::kPlanet) {
            return true;
        }
        error_text_ = "the roots/planet file in the storage directory is not a valid planet";
        return false;
    }
    const std::vector<std::uint8_t>& earth = default_planet_bytes();
    return World::parse_exact(earth.data(), earth.size(), out, &why);
}

bool Service::bind_port() {
    if (config_.port != 0) {
        if (!udp_.open(config_.port)) {
            error_text_ = "cannot bind the UDP port (in use?)";
            return false;
        }
        port_ = udp_.port();
        return true;
    }
    if (bind_random_port([this](std::uint16_t port) { return udp_.open(port); }) == 0) {
        error_text_ = "cannot bind any UDP port in the random port range";
        return false;
    }
    port_ = udp_.port();
    return true;
}

std::uint16_t Service::bind_random_extra_port() {
    return bind_random_port([this](std::uint16_t port) { return udp_.add_port(port); });
}

std::uint16_t Service::bind_random_port(const std::function<bool(std::uint16_t)>& bind) {
    const unsigned lo = config_.random_port_min;
    const unsigned hi = std::max<unsigned>(lo, config_.random_port_max);
    for (unsigned trial = 0; trial < kRandomPortTrials; ++trial) {
        std::uint32_t r = 0;
        crypto::random_bytes(&r, sizeof r);
        const auto port = static_cast<std::uint16_t>(lo + r % (hi - lo + 1));
        if (port != 0 && bind(port)) return port;
    }
    return 0;
}

Service::StartError Service::start() {
    if (running_) return StartError::kNone;
    if (state_ && !state_->ensure_exists()) {
        error_text_ = "cannot create the storage directory";
        return StartError::kStorage;
    }
    if (!load_identity()) return StartError::kIdentity;
    World planet;
    if (!load_world(&planet)) return StartError::kRoots;
    if (!bind_port()) return StartError::kBind;
    udp_.set_interface_blacklist(config_.interface_blacklist);
    // The secondary port is a convenience: a host where it cannot be bound still runs on the primary.
    secondary_port_ = config_.allow_secondary_port ? bind_random_extra_port() : 0;
    // Port mapping gets a third port of its own, as in ZeroTier One: some routers treat explicitly
    // mapped ports strangely, and the other two must keep working whatever the router does.
    mapping_port_ = config_.allow_port_mapping ? bind_random_extra_port() : 0;
    if (mapping_port_ != 0) {
        PortMapperOptions o;
        o.local_port = mapping_port_;
        char name[64];
        std::snprintf(name, sizeof name, "ZeroTier/%.10llx@%u", static_cast<unsigned long long>(identity_.address()),
                      static_cast<unsigned>(mapping_port_));
        o.description = name;
        if (config_.port_mapping_refresh_ms > 0) o.refresh_ms = config_.port_mapping_refresh_ms;
        mapper_ = std::make_unique<PortMapper>(std::move(o));
    }

    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    assist_wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    udp_epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    assist_epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (wake_fd_ < 0 || assist_wake_fd_ < 0 || epoll_fd_ < 0 || udp_epoll_fd_ < 0 || assist_epoll_fd_ < 0) {
        error_text_ = "cannot create the event loop";
        return StartError::kThread;
    }
    for (int fd : udp_.fds()) watch_udp_socket(fd);
    watch_readable(assist_epoll_fd_, assist_wake_fd_);
    watch_readable(epoll_fd_, udp_epoll_fd_);  // an epoll descriptor polls readable while one of its own is ready
    watch_readable(epoll_fd_, wake_fd_);
    started_at_ = now_ms();
    last_global_rx_ = last_global_v4_tx_ = 0;
    relay_address_ = InetAddress();
    if (!InetAddress::from_string(config_.tcp_relay_address, &relay_address_)) relay_address_ = InetAddress();
    net::ensure_stack();
    stack_ = std::make_unique<net::StackBridge>(
        // lwIP sends a frame (its core lock held; the node lock comes second, as everywhere).
        [this](std::uint64_t nwid, std::uint64_t src, std::uint64_t dst, std::uint16_t ethertype, const std::uint8_t* data,
               std::size_t len) {
            if (tap_enabled(nwid)) return;  // the application owns this network's Ethernet (raw tap)
            bool more = false;
            {
                std::lock_guard<std::mutex> g(mutex_);
                if (!node_) return;
                node_->send_frame(now_ms(), nwid, src, dst, ethertype, data, len);
                more = stack_->has_work();  // e.g. an emulated NDP answer for lwIP itself
            }
            // lwIP sends segments in bursts (a window's worth at a time) under one hold of its
            // lock: their datagrams leave together, in one sendmmsg, when it is released.
            net::after_core_unlock([](void* self) { static_cast<Service*>(self)->flush_output(); }, this);
            if (more) wake();  // the core thread drains it; lwIP must not be re-entered from here
        },
        [this](std::uint64_t nwid, std::uint64_t mac, bool join) {
            std::lock_guard<std::mutex> g(mutex_);
            if (!node_) return;
            if (join) {
                node_->multicast_subscribe(now_ms(), nwid, MulticastGroup{mac, 0});
            } else {
                node_->multicast_unsubscribe(nwid, MulticastGroup{mac, 0});
            }
        });
    {
        std::lock_guard<std::mutex> g(mutex_);
        node_ = std::make_unique<Node>(identity_, std::move(planet), config_.node, *this, now_ms());
        node_->set_controller(config_.controller);
        next_background_ = 0;
        load_peer_cache();
        load_moons();
    }
    stopping_ = false;
    running_ = true;
    core_ = start_quiet_thread("zt-core", [this] { run(); });
    if (net::receive_assist_enabled()) net::offer_receive_assist(this);
    return StartError::kNone;
}

void Service::stop() {
    if (!running_.exchange(false)) return;
    net::withdraw_receive_assist(this);  // waits for an assist in progress
    stopping_ = true;
    wake();
    if (core_.joinable()) core_.join();
    if (mapper_) mapper_->stop();  // removes the router's mapping
    mapper_.reset();
    if (stack_) {
        for (const net::NetifChange& c : stack_->remove_all()) listener_.on_netif(c);  // before the node they send through
    }
    {
        std::lock_guard<std::mutex> g(mutex_);
        udp_.close();
        close_relay();
        node_.reset();
    }
    stack_.reset();
    if (state_writer_) state_writer_->flush();  // a stopped node's state is on disk
    for (int* fd : {&wake_fd_, &assist_wake_fd_, &epoll_fd_, &udp_epoll_fd_, &assist_epoll_fd_}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
}

void Service::flush_output() {
    std::lock_guard<std::mutex> g(mutex_);
    udp_.flush();
}

void Service::wake() {
    if (wake_fd_ >= 0) signal_eventfd(wake_fd_);
}

void Service::after_api_call() {
    udp_.flush();
    // Wake the core thread only if the call needs timers sooner than planned (a WHOIS went out, a
    // network was joined): waking it per call costs a context switch per message sent.
    if (node_ && node_->wanted_background() < next_background_.load()) wake();
}

namespace {
thread_local bool t_assisting = false;  // this thread is inside Service::assist
}  // namespace

void Service::drain_stack() {
    if (!stack_) return;
    bool fed = false;
    for (const net::NetifChange& c : stack_->drain(&fed)) listener_.on_netif(c);
    if (!fed) return;  // nothing new for an assisting thread to look at
    // Another thread fed lwIP (the core thread with datagrams it read just before an assist took
    // the sockets, an API call): the assisting thread's answer may be among them, and it would
    // otherwise sleep on sockets that stay quiet until its time is up.
    // (The fence orders lwIP's new state before the look at assisting_, as assist() sets assisting_
    // before it looks at lwIP's state: one of the two sees the other.)
    std::atomic_thread_fence(std::memory_order_seq_cst);
    if (assisting_.load() && !t_assisting) signal_eventfd(assist_wake_fd_);
}

void Service::run() {
    epoll_event events[kMaxEpollEvents];
    while (!stopping_) {
        const std::int64_t now = now_ms();
        int timeout = 0;
        if (next_background_ > now) timeout = static_cast<int>(std::min<std::int64_t>(next_background_ - now, 1000));
        // Sockets an assist left untaken are looked after at least every kUntakenUs.
        if (!core_watching_.load()) timeout = std::min(timeout, static_cast<int>(kUntakenUs / 1000));
        const int n = ::epoll_wait(epoll_fd_, events, kMaxEpollEvents, timeout);
        if (n < 0 && errno != EINTR) break;
        if (!core_watching_.load()) {
            take_back_untaken_sockets();
            // A look at the sockets and nothing else due: the node lock stays with the assist.
            if (n <= 0 && !core_watching_.load() && now_ms() < next_background_) continue;
        }
        process_ready(events, n < 0 ? 0 : n);
        // A mutex is not fair: re-locking at once would starve API calls under constant traffic.
        while (api_waiting_.load() > 0 && !stopping_) std::this_thread::yield();
        drain_stack();  // node lock released: frames and interface changes for lwIP, one batch
        if (now_ms() - last_stack_refresh_ >= 10 * 60 * 1000) {
            last_stack_refresh_ = now_ms();
            stack_->refresh();
        }
    }
}

void Service::receive_udp() {
    epoll_event ready[kMaxEpollEvents];
    const int n = ::epoll_wait(udp_epoll_fd_, ready, kMaxEpollEvents, 0);
    int fds[kMaxEpollEvents];
    for (int i = 0; i < n; ++i) fds[i] = ready[i].data.fd;
    receive_udp_from(fds, n < 0 ? 0 : n);
}

void Service::receive_udp_from(const int* fds, int n) {
    const auto sink = [this](std::int64_t sock, const InetAddress& from, const std::uint8_t* data, std::size_t len) {
        if (config_.force_tcp_relay) return;  // forced to the relay: UDP is not ours to use
        if (data == nullptr) {
            node_->note_oversized_datagram();
            return;
        }
        if (len >= 16 && from.scope() == IpScope::kGlobal) last_global_rx_ = now_ms();
        node_->process_datagram(now_ms(), sock, from, data, len);
    };
    for (int i = 0; i < n; ++i) {
        if (!udp_.is_ours(fds[i])) continue;
        // Drain in batches; a cap keeps timers and the other socket from starving under load.
        for (int round = 0; round < 16 && udp_.receive_batch(fds[i], sink) == UdpSockets::kBatch; ++round) {
        }
    }
}

void Service::watch_udp_socket(int fd) {
    watch_readable(udp_epoll_fd_, fd);
    watch_readable(assist_epoll_fd_, fd);
}

void Service::core_watches_udp(bool watch) {
    std::lock_guard<std::mutex> g(watch_mutex_);
    if (core_watching_.load() == watch) return;
    // With nobody assisting when it is decided (assisting_ is set before an assist takes this
    // lock): an assist that began meanwhile keeps the sockets.
    if (watch && assisting_.load()) return;
    epoll_event ev{};
    ev.events = watch ? EPOLLIN : 0;  // re-enabled while datagrams wait, the core thread wakes at once
    ev.data.fd = udp_epoll_fd_;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, udp_epoll_fd_, &ev);
    core_watching_.store(watch);
}

void Service::ordinary_wait_begins() {
    if (!core_watching_.load() && !assisting_.load()) core_watches_udp(true);
}

void Service::take_back_untaken_sockets() {
    if (steady_us() - assist_ended_us_.load() >= kUntakenUs) core_watches_udp(true);
}

bool Service::sleep_until_datagrams(int ms, net::AssistWait how, int* ready_fds, int* n_ready) {
    *n_ready = -1;
    if (how == net::AssistWait::kStream) {
        pollfd fds[2] = {{udp_epoll_fd_, POLLIN, 0}, {assist_wake_fd_, POLLIN, 0}};
        if (::poll(fds, 2, ms) <= 0) return false;
        if (fds[1].revents != 0) drain_eventfd(assist_wake_fd_);
        return fds[0].revents != 0;
    }
    // The sockets are in this set themselves, not behind udp_epoll_fd_: a wake-up through a nested
    // set loses the sender's hand-over hint. 32-byte ping-pong, 60,000 round trips on one
    // connection, one busy process per CPU: p50 76-78 µs the nested way, 36-40 µs this way while
    // the scheduler keeps both peers' threads on one CPU (not always: bench/README.md).
    epoll_event ready[kMaxEpollEvents];
    const int n = ::epoll_wait(assist_epoll_fd_, ready, kMaxEpollEvents, ms);
    *n_ready = 0;
    for (int i = 0; i < n; ++i) {
        if (ready[i].data.fd == assist_wake_fd_) {
            drain_eventfd(assist_wake_fd_);
        } else {
            ready_fds[(*n_ready)++] = ready[i].data.fd;
        }
    }
    return *n_ready > 0;
}

bool Service::assist(int us, net::AssistWait how, const std::function<bool()>& ready) {
    if (stopping_ || assisting_.exchange(true)) return false;
    t_assisting = true;
    core_watches_udp(false);
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
    while (!ready() && !stopping_) {
        const auto left =
            std::chrono::duration_cast<std::chrono::microseconds>(until - std::chrono::steady_clock::now()).count();
        if (left <= 0) break;
        // Sleeps in the kernel until a datagram arrives or another thread fed lwIP (no spinning;
        // milliseconds, rounded up).
        int ready_fds[kMaxEpollEvents];
        int n_ready = -1;
        if (!sleep_until_datagrams(static_cast<int>((left + 999) / 1000), how, ready_fds, &n_ready)) continue;
        {
            // The sockets the sleep saw ready are checked under the lock (a system call less per
            // datagram than asking again): one closed meanwhile (the secondary port rebound) may
            // already have left its number to another file.
            std::lock_guard<std::mutex> g(mutex_);
            if (n_ready < 0) {
                receive_udp();
            } else {
                receive_udp_from(ready_fds, n_ready);
            }
            udp_.flush();
        }
        drain_stack();  // into lwIP: where the answer shows up, if this was it
    }
    t_assisting = false;
    assist_ended_us_.store(steady_us());
    assisting_.store(false);
    // The sockets stay untaken for the next assist, two system calls less per exchange, unless a
    // thread sleeps the ordinary way: its datagrams need the core thread. (A thread that starts
    // to sleep after this look sees assisting_ false and takes them back itself: each of the two
    // stores before it loads, so one of them sees the other.)
    if (net::threads_waiting_ordinarily() > 0) core_watches_udp(true);
    return true;
}

void Service::process_ready(const epoll_event* events, int n) {
    std::lock_guard<std::mutex> g(mutex_);
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (relay_.is_open() && fd == relay_.fd()) {
            relay_ready(events[i].events);
            continue;
        }
        if (fd == wake_fd_) {
            drain_eventfd(wake_fd_);
            next_background_ = 0;  // re-plan: something changed under the API lock
            continue;
        }
        if (fd == udp_epoll_fd_) receive_udp();
    }
    // Direct UDP from the internet works again: the relay is no longer needed.
    if (relay_.is_open() && !config_.force_tcp_relay && now_ms() - last_global_rx_ < config_.tcp_relay_after_ms / 2) {
        close_relay();
    }
    if (now_ms() >= next_background_) {
        rebind_secondary_port_if_offline(now_ms());
        refresh_local_addresses(now_ms());
        next_background_ = node_->process_background(now_ms());
        return_freed_peer_memory();
    }
    udp_.flush();
}

void Service::return_freed_peer_memory() {
#if defined(__GLIBC__)
    // glibc keeps freed memory for reuse; after a crowd of peers was forgotten (a root after a burst
    // of strangers), give it back so the process shrinks to what it holds. A wave of peers that fell
    // silent together is forgotten over two or three housekeeping steps: each step that shrank the
    // peer count by a crowd trims, so the wave's tail (often a few hundred) is given back too. Peers
    // evicted to admit newcomers leave the count as it was (their memory is taken again at once):
    // those trim only as expiries add up, as does a trickle of silent ones.
    const std::size_t peers = node_->topology().size();
    const bool crowd_gone = peers + kPeersGoneInOneStepForTrim <= peers_at_previous_step_;
    peers_at_previous_step_ = peers;
    const std::uint64_t expired = node_->stats().peers_expired;
    if (!crowd_gone && expired - peers_expired_at_trim_ < kPeersExpiredPerTrim) return;
    peers_expired_at_trim_ = expired;
    ::malloc_trim(0);
#endif
}

void Service::rebind_secondary_port_if_offline(std::int64_t now) {
    if (secondary_port_ == 0) return;  // not wanted, or it could not be bound
    if (node_->online() || last_online_ == 0) {
        last_online_ = now;
        return;
    }
    if (now - last_online_ < config_.secondary_port_rebind_after_ms) return;
    last_online_ = now;  // the new port gets the same time to work before it is changed in turn
    const std::uint16_t fresh = bind_random_extra_port();
    if (fresh == 0) return;  // nothing else free: keep the one we have
    udp_.remove_port(secondary_port_);  // closing its sockets takes them out of the epoll sets too
    secondary_port_ = fresh;
    for (int fd : udp_.fds()) watch_udp_socket(fd);  // those already watched stay as they are
    last_address_scan_ = 0;  // advertise the new port's addresses at once
}

void Service::refresh_local_addresses(std::int64_t now) {
    // Interfaces change rarely (ZeroTier One rescans every 30 s); a mapping may appear any time
    // after start, and is cheap to look at.
    if (now - last_address_scan_ >= 30000 || last_address_scan_ == 0) {
        last_address_scan_ = now;
        interface_addresses_ = local_interface_addresses(config_.interface_blacklist);
    }
    std::vector<InetAddress> mine;
    for (const InetAddress& a : interface_addresses_) {
        for (std::uint16_t port : udp_.ports()) {
            InetAddress with_port = a;
            with_port.port = port;
            mine.push_back(with_port);
        }
    }
    for (const InetAddress& a : mapped_addresses()) mine.push_back(a);
    node_->set_local_addresses(std::move(mine));
}

void Service::send_datagram(std::int64_t local_socket, const InetAddress& to, const std::uint8_t* data,
                            std::size_t len, unsigned ttl) {
    if (relay_datagram(to, data, len)) return;
    // Even while relaying, UDP goes out too (unless forced): the moment it works again the node
    // hears answers over it and leaves the relay.
    udp_.send(local_socket, to, data, len, ttl);
}

bool Service::relay_datagram(const InetAddress& to, const std::uint8_t* data, std::size_t len) {
    const bool forced = config_.force_tcp_relay;
    if (!(config_.allow_tcp_relay || forced) || relay_address_.is_nil()) return false;
    // As ZeroTier One: only IPv4 datagrams to global addresses, and not the NAT-opening junk.
    if (to.family != InetAddress::Family::kV4 || len < 16 || to.scope() != IpScope::kGlobal) return forced;
    const std::int64_t now = now_ms();
    const std::int64_t after = config_.tcp_relay_after_ms;
    if (forced || (now - last_global_rx_ > after && now - started_at_ > after)) {
        // Opened only while the node keeps trying to reach the internet (ZeroTier One's window).
        if (!relay_.is_open() && (forced || now - last_global_v4_tx_ < kRelayRecentSendWindow)) {
            if (relay_.open(relay_address_)) {
                epoll_event ev{};
                ev.events = EPOLLIN | EPOLLOUT;
                ev.data.fd = relay_.fd();
                ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, relay_.fd(), &ev);
                relay_watching_out_ = true;
            }
        }
        if (relay_.is_open() && relay_.send(to, data, len)) watch_relay();
    }
    last_global_v4_tx_ = now;
    return forced;
}

void Service::watch_relay() {
    if (!relay_.is_open() || relay_watching_out_ == relay_.wants_write()) return;
    relay_watching_out_ = relay_.wants_write();
    epoll_event ev{};
    ev.events = EPOLLIN | (relay_watching_out_ ? EPOLLOUT : 0);
    ev.data.fd = relay_.fd();
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, relay_.fd(), &ev);
}

void Service::close_relay() {
    if (!relay_.is_open()) return;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, relay_.fd(), nullptr);
    relay_.close();
    relay_watching_out_ = false;
}

void Service::relay_ready(std::uint32_t events) {
    const auto sink = [this](const InetAddress& from, const std::uint8_t* data, std::size_t len) {
        // Relayed datagrams have no local socket of ours: -1, as ZeroTier One passes them.
        node_->process_datagram(now_ms(), -1, from, data, len);
    };
    const bool ok = relay_.on_ready((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0,
                                    (events & (EPOLLOUT | EPOLLERR)) != 0, sink);
    if (!ok) {
        close_relay();  // reopened on the next datagram that needs it
        return;
    }
    watch_relay();
}

void Service::load_peer_cache() {
    if (!state_ || !config_.cache_peers) return;
    for (const std::string& name : state_->list("peers.d")) {
        std::vector<std::uint8_t> bytes;
        if (name.size() == 15 && name.compare(10, 5, ".peer") == 0 && state_->read("peers.d/" + name, &bytes, 4096)) {
            node_->restore_peer(bytes.data(), bytes.size());
        }
    }
}

void Service::store_peer(std::uint64_t address) {
    if (!node_ || node_->topology().is_root(address)) return;
    const std::vector<std::uint8_t> record = node_->peer_cache_record(address);
    if (record.empty()) return;
    if (state_writer_ && config_.cache_peers) state_writer_->write("peers.d/" + address_to_hex(address) + ".peer", record, 0600);
    listener_.on_store("peer", record);
}

namespace {
std::string network_file(std::uint64_t network_id) {
    std::uint8_t b[8];
    store_be(b, network_id, 8);
    return "networks.d/" + to_hex(b, 8) + ".conf";
}

std::string moon_file(std::uint64_t world_id) {
    std::uint8_t b[8];
    store_be(b, world_id, 8);
    return "moons.d/" + to_hex(b, 8) + ".moon";
}
}  // namespace

void Service::load_moons() {
    if (!state_ || !config_.cache_roots) return;
    for (const std::string& name : state_->list("moons.d")) {
        std::vector<std::uint8_t> bytes;
        if (name.size() == 21 && name.compare(16, 5, ".moon") == 0 &&
            state_->read("moons.d/" + name, &bytes, kWorldMaxSerializedLen + 1)) {
            node_->restore_moon(bytes.data(), bytes.size());  // a file that does not verify is ignored
        }
    }
}

void Service::orbit(std::uint64_t world_id, std::uint64_t seed) {
    if (!node_) return;
    if (seed != 0) {
        node_->orbit(now_ms(), world_id, seed);
        return;
    }
    std::vector<std::uint8_t> bytes;
    if (state_writer_ && state_writer_->read(moon_file(world_id), &bytes, kWorldMaxSerializedLen + 1)) {
        node_->restore_moon(bytes.data(), bytes.size());
    }
}

bool Service::join(std::uint64_t network_id) {
    if (!node_ || !node_->join(now_ms(), network_id)) return false;
    std::vector<std::uint8_t> cached;
    if (state_writer_ && config_.cache_networks &&
        state_writer_->read(network_file(network_id), &cached, Dictionary::kMaxLen)) {
        node_->restore_network_config(network_id, std::string(cached.begin(), cached.end()));
    }
    return true;
}

bool Service::leave(std::uint64_t network_id) {
    if (!node_ || !node_->leave(now_ms(), network_id)) return false;
    if (state_writer_) state_writer_->remove(network_file(network_id));
    std::shared_ptr<net::TapQueue> t;
    {
        std::lock_guard<std::mutex> g(taps_mutex_);
        auto it = taps_.find(network_id);
        if (it != taps_.end()) {
            t = it->second;
            taps_.erase(it);
        }
    }
    if (t) t->close();
    return true;
}

std::shared_ptr<net::TapQueue> Service::tap(std::uint64_t network_id) {
    std::lock_guard<std::mutex> g(taps_mutex_);
    auto& t = taps_[network_id];
    if (!t) t = std::make_shared<net::TapQueue>();
    return t;
}

bool Service::tap_enabled(std::uint64_t network_id) {
    std::lock_guard<std::mutex> g(taps_mutex_);
    auto it = taps_.find(network_id);
    return it != taps_.end() && it->second->enabled();
}

void Service::on_frame(std::uint64_t network_id, std::uint64_t src_mac, std::uint64_t dst_mac, std::uint16_t ethertype,
                       const std::uint8_t* data, std::size_t len) {
    std::shared_ptr<net::TapQueue> t;
    {
        std::lock_guard<std::mutex> g(taps_mutex_);
        auto it = taps_.find(network_id);
        if (it != taps_.end()) t = it->second;
    }
    if (!t || !t->enabled()) {
        // No raw reader: the frame is for our TCP/IP stack.
        if (stack_) stack_->queue_frame(network_id, src_mac, dst_mac, ethertype, data, len);
        return;
    }
    std::vector<std::uint8_t> frame(14 + len);
    store_be(frame.data(), dst_mac, 6);
    store_be(frame.data() + 6, src_mac, 6);
    store_be(frame.data() + 12, ethertype, 2);
    std::copy(data, data + len, frame.begin() + 14);
    t->push(std::move(frame));
}

void Service::on_event(const NodeEvent& e) {
    if (e.type == NodeEvent::Type::kPathDiscovered) store_peer(e.peer);
    if (e.type == NodeEvent::Type::kNetworkConfig) {
        if (!e.data.empty()) {
            if (state_writer_ && config_.cache_networks) state_writer_->write(network_file(e.network), e.data, 0600);
            listener_.on_store("network", e.data);
        }
        Network* n = node_ ? node_->network(e.network) : nullptr;
        if (n != nullptr && n->has_config() && stack_) stack_->queue_config(e.network, n->mac(), n->config());
    }
    if (e.type == NodeEvent::Type::kNetworkLeft && stack_) stack_->queue_remove(e.network);
    if (e.type == NodeEvent::Type::kMoonUpdated && state_writer_ && config_.cache_roots) {
        state_writer_->write(moon_file(e.moon), e.data, 0644);
    }
    if (e.type == NodeEvent::Type::kMoonRemoved && state_writer_) state_writer_->remove(moon_file(e.moon));
    if (e.type == NodeEvent::Type::kPlanetUpdated && node_) {
        const std::vector<std::uint8_t> bytes = node_->topology().planet().serialized();
        if (state_writer_ && config_.cache_roots) state_writer_->write("roots", bytes, 0644);
        listener_.on_store("roots", bytes);
    }
    listener_.on_node_event(e);
}

}  // namespace zt::osdep
