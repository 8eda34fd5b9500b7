// SPDX-License-Identifier: Apache-2.0
#include "osdep/port_mapper.hpp"

#include <arpa/inet.h>
#include <natpmp.h>
#include <sys/select.h>

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

#include "osdep/quiet_thread.hpp"

namespace zt::osdep {

namespace {

using Clock = std::chrono::steady_clock;

// A router answering NAT-PMP does so within milliseconds; libnatpmp's own retry schedule runs
// for minutes, so each request is cut off after this.
constexpr auto kNatPmpAnswerWait = std::chrono::milliseconds(2000);
constexpr std::int64_t kNoGatewayFirstRetryMs = 500;
// Ports tried when the router refuses ours (taken by another host): ours, then the next ones.
constexpr int kPortTrials = 16;

std::uint16_t trial_port(std::uint16_t local, int trial) {
    int p = local + trial;
    if (p > 65535) p = 1024 + (p - 65535);
    return static_cast<std::uint16_t>(p);
}

}  // namespace

struct PortMapper::State {
    PortMapperOptions options;
    mutable std::mutex mutex;
    std::condition_variable cv;
    bool stopping = false;
    bool finished = false;
    std::vector<InetAddress> external;
    std::string method;
    // What to remove: the external port and, for UPnP, where the router takes commands.
    std::uint16_t mapped_port = 0;
    std::string upnp_control_url;
    std::string upnp_service_type;

    bool should_stop() {
        std::lock_guard<std::mutex> g(mutex);
        return stopping;
    }
    void publish(const InetAddress& ext, const char* how) {
        std::lock_guard<std::mutex> g(mutex);
        external = {ext};
        method = how;
        mapped_port = ext.port;
    }
    void forget() {
        std::lock_guard<std::mutex> g(mutex);
        external.clear();
        method.clear();
        mapped_port = 0;
    }

    void run();
    bool natpmp_map(std::uint32_t lifetime_s);
    bool upnp_map();
    void unmap();
};

namespace {

// One NAT-PMP request/answer exchange on an initialised handle; false on no or a failed answer.
bool natpmp_answer(natpmp_t* n, natpmpresp_t* response) {
    const auto deadline = Clock::now() + kNatPmpAnswerWait;
    for (;;) {
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(n->s, &fds);
        timeval tv{};
        getnatpmprequesttimeout(n, &tv);
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        if (tv.tv_sec * 1000000 + tv.tv_usec > left) {
            tv.tv_sec = static_cast<time_t>(left / 1000000);
            tv.tv_usec = static_cast<suseconds_t>(left % 1000000);
        }
        ::select(n->s + 1, &fds, nullptr, nullptr, &tv);
        const int r = readnatpmpresponseorretry(n, response);
        if (r == 0) return true;
        if (r != NATPMP_TRYAGAIN) return false;
    }
}

}  // namespace

// initnatpmp opens its socket before it looks for the gateway, and keeps it when that fails.
static int open_natpmp(natpmp_t* n) {
    std::memset(n, 0, sizeof *n);
    n->s = -1;
    const int r = initnatpmp(n, 0, 0);
    if (r != 0 && n->s >= 0) closenatpmp(n);
    return r;
}

bool PortMapper::State::natpmp_map(std::uint32_t lifetime_s) {
    natpmp_t n;
    if (open_natpmp(&n) != 0) return false;
    natpmpresp_t response{};
    bool ok = false;
    InetAddress ext;
    if (sendpublicaddressrequest(&n) >= 0 && natpmp_answer(&n, &response)) {
        std::uint8_t ip[4];
        std::memcpy(ip, &response.pnu.publicaddress.addr, 4);
        ext = InetAddress::v4(ip, 0);
        std::uint16_t keep = 0;
        {
            std::lock_guard<std::mutex> g(mutex);
            if (method == "NAT-PMP") keep = mapped_port;  // renew the port we have
        }
        for (int trial = 0; trial < kPortTrials && !ok && !should_stop(); ++trial) {
            const std::uint16_t want = keep != 0 ? keep : trial_port(options.local_port, trial);
            std::memset(&response, 0, sizeof response);
            if (sendnewportmappingrequest(&n, NATPMP_PROTOCOL_UDP, options.local_port, want, lifetime_s) < 0) break;
            if (natpmp_answer(&n, &response) && response.pnu.newportmapping.mappedpublicport != 0) {
                ext.port = response.pnu.newportmapping.mappedpublicport;
                ok = true;
            }
            keep = 0;
        }
    }
    closenatpmp(&n);
    if (ok) publish(ext, "NAT-PMP");
    return ok;
}

bool PortMapper::State::upnp_map() {
    int error = 0;
    UPNPDev* devices = upnpDiscover(options.discovery_ms, nullptr, nullptr, 0, 0, 2, &error);
    if (devices == nullptr) return false;
    UPNPUrls urls{};
    IGDdatas data{};
    char lan[64] = {};
#if MINIUPNPC_API_VERSION >= 18
    char wan[64] = {};
    const int igd = UPNP_GetValidIGD(devices, &urls, &data, lan, sizeof lan, wan, sizeof wan);
#else
    const int igd = UPNP_GetValidIGD(devices, &urls, &data, lan, sizeof lan);
#endif
    freeUPNPDevlist(devices);
    if (igd == 0) return false;
    bool ok = false;
    char external_ip[64] = {};
    InetAddress ext;
    if (lan[0] != '\0' && UPNP_GetExternalIPAddress(urls.controlURL, data.first.servicetype, external_ip) == 0 &&
        InetAddress::from_string(std::string(external_ip) + "/0", &ext)) {
        const std::string local_port = std::to_string(options.local_port);
        // A lease, not a permanent mapping: a node that dies without stop() leaves nothing behind
        // for long. The refresh renews it well before it runs out.
        const std::string lease = std::to_string(options.refresh_ms * 2 / 1000);
        for (int trial = 0; trial < kPortTrials && !ok && !should_stop(); ++trial) {
            const std::string port = std::to_string(trial_port(options.local_port, trial));
            char client[64] = {}, in_port[16] = {}, desc[256] = {}, enabled[8] = {}, duration[16] = {};
            const bool ours = UPNP_GetSpecificPortMappingEntry(urls.controlURL, data.first.servicetype, port.c_str(),
                                                               "UDP", nullptr, client, in_port, desc, enabled,
                                                               duration) == 0 &&
                              options.description == desc && local_port == in_port && std::string(lan) == client;
            if (ours || UPNP_AddPortMapping(urls.controlURL, data.first.servicetype, port.c_str(), local_port.c_str(),
                                            lan, options.description.c_str(), "UDP", nullptr, lease.c_str()) == 0) {
                // An existing mapping of ours is renewed by adding it again.
                if (ours) {
                    UPNP_AddPortMapping(urls.controlURL, data.first.servicetype, port.c_str(), local_port.c_str(), lan,
                                        options.description.c_str(), "UDP", nullptr, lease.c_str());
                }
                ext.port = trial_port(options.local_port, trial);
                ok = true;
            }
        }
    }
    if (ok) {
        {
            std::lock_guard<std::mutex> g(mutex);
            upnp_control_url = urls.controlURL;
            upnp_service_type = data.first.servicetype;
        }
        publish(ext, "UPnP");
    }
    FreeUPNPUrls(&urls);
    return ok;
}

void PortMapper::State::unmap() {
    std::string how;
    std::uint16_t port = 0;
    std::string control, service;
    {
        std::lock_guard<std::mutex> g(mutex);
        how = method;
        port = mapped_port;
        control = upnp_control_url;
        service = upnp_service_type;
    }
    if (port == 0) return;
    if (how == "NAT-PMP") {
        natpmp_t n;
        if (open_natpmp(&n) == 0) {
            natpmpresp_t response{};
            // Lifetime 0 deletes the mapping (RFC 6886 section 3.4).
            if (sendnewportmappingrequest(&n, NATPMP_PROTOCOL_UDP, options.local_port, 0, 0) >= 0) {
                natpmp_answer(&n, &response);
            }
            closenatpmp(&n);
        }
    } else if (how == "UPnP") {
        const std::string p = std::to_string(port);
        UPNP_DeletePortMapping(control.c_str(), service.c_str(), p.c_str(), "UDP", nullptr);
    }
    forget();
}

void PortMapper::State::run() {
    const auto lifetime_s = static_cast<std::uint32_t>(options.refresh_ms * 2 / 1000);
    std::int64_t retry_ms = kNoGatewayFirstRetryMs;
    while (!should_stop()) {
        // No default gateway (or no socket): no router to ask. Like ZeroTier One, wait and look
        // again rather than broadcast UPnP discovery into nowhere (miniupnpc would print its
        // sendto errors on our host's stderr).
        natpmp_t probe;
        const int gateway = open_natpmp(&probe);
        if (gateway == 0) closenatpmp(&probe);
        if (gateway == NATPMP_ERR_CANNOTGETGATEWAY || gateway == NATPMP_ERR_SOCKETERROR) {
            forget();
            std::unique_lock<std::mutex> g(mutex);
            cv.wait_for(g, std::chrono::milliseconds(retry_ms), [this] { return stopping; });
            retry_ms = std::min<std::int64_t>(retry_ms * 2, std::max<std::int64_t>(options.refresh_ms / 10, 500));
            continue;
        }
        retry_ms = kNoGatewayFirstRetryMs;
        // NAT-PMP first: one datagram to the gateway, where UPnP needs discovery and HTTP.
        const bool mapped = natpmp_map(lifetime_s) || (!should_stop() && upnp_map());
        if (!mapped) forget();
        std::unique_lock<std::mutex> g(mutex);
        cv.wait_for(g, std::chrono::milliseconds(options.refresh_ms), [this] { return stopping; });
    }
    unmap();
    std::lock_guard<std::mutex> g(mutex);
    finished = true;
    cv.notify_all();
}

PortMapper::PortMapper(PortMapperOptions options) : state_(std::make_shared<State>()) {
    state_->options = std::move(options);
    std::shared_ptr<State> s = state_;
    start_quiet_thread("zt-portmap", [s] { s->run(); }).detach();
}

PortMapper::~PortMapper() { stop(); }

void PortMapper::stop() {
    if (!state_) return;
    std::unique_lock<std::mutex> g(state_->mutex);
    state_->stopping = true;
    state_->cv.notify_all();
    // Wait while there is (or may soon be) a mapping to remove; a discovery that found nothing
    // yet finishes on its own, holding only the shared state.
    state_->cv.wait_for(g, std::chrono::milliseconds(state_->options.stop_wait_ms),
                        [this] { return state_->finished || state_->mapped_port == 0; });
    // Still removing after the wait (a router that stopped answering): the thread finishes alone.
    g.unlock();
    state_.reset();
}

std::vector<InetAddress> PortMapper::external() const {
    if (!state_) return {};
    std::lock_guard<std::mutex> g(state_->mutex);
    return state_->external;
}

std::string PortMapper::method() const {
    if (!state_) return {};
    std::lock_guard<std::mutex> g(state_->mutex);
    return state_->method;
}

}  // namespace zt::osdep
