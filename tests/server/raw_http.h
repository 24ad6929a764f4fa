#pragma once
// Raw HTTP/1.1 over non-blocking sockets and poll(), for the limits tests and the load bench:
// many connections at once from one thread (a thousand long-polls), and requests no well-behaved
// client makes (slow, huge, idle).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace raw_http {

using Clock = std::chrono::steady_clock;

// Lets this process hold as many sockets as its hard limit allows; returns the new soft limit.
inline rlim_t raise_fd_limit() {
    rlimit r{};
    getrlimit(RLIMIT_NOFILE, &r);
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
    return r.rlim_cur;
}

// A connected socket to 127.0.0.1:port (blocking connect, then non-blocking), or -1.
inline int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

inline std::string get(const std::string& path, const std::string& token = "", const std::string& extra = "") {
    return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") + extra +
           "\r\n";
}

inline std::string post(const std::string& path, const std::string& body, const std::string& token = "") {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
           (token.empty() ? "" : "Authorization: Bearer " + token + "\r\n") + "Content-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

// Writes all of `data` to a non-blocking socket, waiting up to `timeout_ms` in all.
inline bool send_all(int fd, const std::string& data, int timeout_ms = 10'000) {
    size_t sent = 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
        pollfd p{fd, POLLOUT, 0};
        if (Clock::now() > deadline || poll(&p, 1, 100) < 0) return false;
    }
    return true;
}

// A response being read: complete once its headers and Content-Length bytes are in, or the
// connection closed.
struct Response {
    std::string bytes;
    bool closed = false;

    size_t header_end() const {
        auto at = bytes.find("\r\n\r\n");
        return at == std::string::npos ? std::string::npos : at + 4;
    }
    bool complete() const {
        const size_t he = header_end();
        if (he == std::string::npos) return closed;
        const std::string h = headers();
        auto cl = h.find("\r\ncontent-length: ");
        if (cl == std::string::npos) return closed;
        return bytes.size() >= he + std::strtoull(h.c_str() + cl + 18, nullptr, 10);
    }
    int status() const { return bytes.size() >= 12 && bytes.compare(0, 5, "HTTP/") == 0 ? std::atoi(bytes.c_str() + 9) : 0; }
    // The headers in lower case, for searching.
    std::string headers() const {
        std::string h = bytes.substr(0, std::min(bytes.size(), header_end()));
        for (auto& ch : h) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        return h;
    }
    std::string body() const { return header_end() == std::string::npos ? "" : bytes.substr(header_end()); }
};

// Reads what is available on `fd` into `r` (non-blocking). False once the connection is closed.
inline bool read_some(int fd, Response& r) {
    char buf[16384];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            r.bytes.append(buf, static_cast<size_t>(n));
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
            r.closed = true;
            return false;
        }
        return true;
    }
}

// Waits until `r` is complete (or the connection closes, or `timeout_ms` passes).
inline bool read_response(int fd, Response& r, int timeout_ms = 30'000) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!r.complete() && !r.closed) {
        pollfd p{fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        if (poll(&p, 1, static_cast<int>(std::min<long long>(left, 1000))) > 0) read_some(fd, r);
    }
    return r.complete();
}

// One request on a new connection; the response (empty on no answer within `timeout_ms`).
inline Response request(int port, const std::string& bytes, int timeout_ms = 30'000) {
    Response r;
    int fd = connect_to(port);
    if (fd < 0) return r;
    if (send_all(fd, bytes, timeout_ms)) read_response(fd, r, timeout_ms);
    close(fd);
    return r;
}

}  // namespace raw_http
