#include "http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>

namespace crm {
namespace {

using Clock = std::chrono::steady_clock;

// A chunked body's framing (sizes, line ends) on top of the body limit.
constexpr size_t kChunkedMargin = 64 * 1024;

// Request threads: started when a connection arrives and none is free (up to a maximum), ended
// after 30 s without work, with small stacks, so a thousand waiting long-polls cost a thousand
// mostly idle threads and a quiet server keeps a handful.
class ElasticPool : public httplib::TaskQueue {
public:
    ElasticPool(int max_threads, size_t stack_bytes) : max_(std::max(1, max_threads)), stack_(stack_bytes) {}
    ~ElasticPool() override { shutdown(); }

    void enqueue(std::function<void()> fn) override {
        std::unique_lock lock(mu_);
        jobs_.push_back(std::move(fn));
        // A new thread unless enough idle ones are there for every queued job (one woken by an
        // earlier enqueue may not have taken its job yet).
        if (static_cast<int>(jobs_.size()) <= idle_ || threads_ >= max_) {
            work_.notify_one();
            return;
        }
        ++threads_;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, stack_);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        pthread_t t;
        if (pthread_create(&t, &attr, &ElasticPool::run, this) != 0) {
            --threads_;  // out of threads: the job waits for a running one
            if (threads_ == 0) {
                // Nothing would ever run it: run it here rather than lose the connection.
                auto job = std::move(jobs_.back());
                jobs_.pop_back();
                lock.unlock();
                job();
            }
        }
        pthread_attr_destroy(&attr);
    }

    void shutdown() override {
        std::unique_lock lock(mu_);
        stopping_ = true;
        work_.notify_all();
        done_.wait(lock, [&] { return threads_ == 0; });
    }

private:
    static void* run(void* self) {
        static_cast<ElasticPool*>(self)->loop();
        return nullptr;
    }

    void loop() {
        std::unique_lock lock(mu_);
        for (;;) {
            if (jobs_.empty()) {
                if (stopping_) break;
                ++idle_;
                const bool woke = work_.wait_for(lock, std::chrono::seconds(30), [&] { return stopping_ || !jobs_.empty(); });
                --idle_;
                if (!woke) break;  // idle for 30 s: let the thread go
                continue;
            }
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            lock.unlock();
            job();
            lock.lock();
        }
        if (--threads_ == 0) done_.notify_all();
    }

    const int max_;
    const size_t stack_;
    std::mutex mu_;
    std::condition_variable work_, done_;
    std::deque<std::function<void()>> jobs_;
    int threads_ = 0, idle_ = 0;
    bool stopping_ = false;
};

// Waits until `fd` is ready for `events` or `deadline` passes, or the server stops (stop_fd
// readable). 1: ready; 0: deadline passed; -1: stopping or error.
int wait_for(int fd, short events, int stop_fd, Clock::time_point deadline) {
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return 0;
        pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
        const int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, static_cast<int>(std::min<int64_t>(left, 60'000)));
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (n == 0) continue;  // look at the deadline again
        if (stop_fd >= 0 && (fds[1].revents & POLLIN)) return -1;
        if (fds[0].revents) return 1;  // ready, or an error/hang-up the next read or write reports
    }
}

// One connection's state, kept across its requests (bytes read ahead belong to the next one).
struct Connection {
    int fd = -1;
    int stop_fd = -1;
    const ConnectionLimits* limits = nullptr;
    std::string buf;  // read from the socket, not yet given to the parser
    size_t pos = 0;
    bool wrote = false;  // something of the current answer went out
    bool last_request = false;
    std::optional<ConnectionFailure> failure;

    // The current request.
    bool in_body = false;
    size_t header_bytes = 0, body_bytes = 0, line_len = 0;
    Clock::time_point header_deadline, body_deadline;

    void begin_request() {
        in_body = false;
        header_bytes = body_bytes = line_len = 0;
        wrote = false;
        header_deadline = Clock::now() + std::chrono::milliseconds(limits->header_timeout_ms);
    }
    void fail(int status, std::string message, std::string code) {
        if (!failure) failure = ConnectionFailure{status, std::move(message), std::move(code)};
    }
};

thread_local Connection* t_connection = nullptr;

class LimitedStream : public httplib::Stream {
public:
    explicit LimitedStream(Connection& c) : c_(c) {}

    bool is_readable() const override {
        return c_.pos < c_.buf.size() ||
               wait_for(c_.fd, POLLIN, c_.stop_fd, Clock::now() + std::chrono::milliseconds(c_.limits->idle_timeout_ms)) > 0;
    }
    bool is_writable() const override {
        return wait_for(c_.fd, POLLOUT, c_.stop_fd, Clock::now() + std::chrono::milliseconds(c_.limits->write_stall_ms)) > 0;
    }

    ssize_t read(char* ptr, size_t size) override {
        if (c_.failure) return -1;
        const ConnectionLimits& lim = *c_.limits;
        if (c_.pos == c_.buf.size()) {
            c_.buf.clear();
            c_.pos = 0;
            const auto deadline = c_.in_body ? c_.body_deadline : c_.header_deadline;
            const int r = wait_for(c_.fd, POLLIN, c_.stop_fd, deadline);
            if (r == 0) {
                if (c_.in_body)
                    c_.fail(408, "the request body did not arrive within " + std::to_string(lim.body_timeout_ms / 1000) + " s", "request_timeout");
                else
                    c_.fail(408, "the request headers did not arrive within " + std::to_string(lim.header_timeout_ms / 1000) + " s", "request_timeout");
                return -1;
            }
            if (r < 0) return -1;
            c_.buf.resize(16 * 1024);
            ssize_t n;
            do n = ::recv(c_.fd, c_.buf.data(), c_.buf.size(), MSG_DONTWAIT);
            while (n < 0 && errno == EINTR);
            if (n <= 0) {
                c_.buf.clear();
                return n == 0 ? 0 : -1;
            }
            c_.buf.resize(static_cast<size_t>(n));
        }
        size_t n = std::min(size, c_.buf.size() - c_.pos);
        if (!c_.in_body) {
            // Headers: find their end (an empty line), so the body's bytes are counted exactly.
            for (size_t i = 0; i < n; ++i) {
                const char ch = c_.buf[c_.pos + i];
                if (ch == '\n') {
                    if (c_.line_len == 0) {
                        c_.in_body = true;
                        c_.body_deadline = Clock::now() + std::chrono::milliseconds(lim.body_timeout_ms);
                        n = i + 1;
                        break;
                    }
                    c_.line_len = 0;
                } else if (ch != '\r') {
                    ++c_.line_len;
                }
            }
            c_.header_bytes += n;
            if (c_.header_bytes > lim.max_header_bytes) {
                c_.fail(431, "the request line and headers are larger than the limit of " + std::to_string(lim.max_header_bytes) + " bytes",
                        "headers_too_large");
                return -1;
            }
        } else {
            if (c_.body_bytes + n > lim.max_body_bytes + kChunkedMargin) {
                c_.fail(413, "the request body is larger than the limit of " + std::to_string(lim.max_body_bytes) + " bytes", "too_large");
                return -1;
            }
            c_.body_bytes += n;
        }
        std::memcpy(ptr, c_.buf.data() + c_.pos, n);
        c_.pos += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        for (;;) {
            ssize_t n = ::send(c_.fd, ptr, size, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n >= 0) {
                c_.wrote = c_.wrote || n > 0;
                return n;
            }
            if (errno == EINTR) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
            // The client reads slower than we write: wait, but not forever.
            if (wait_for(c_.fd, POLLOUT, -1, Clock::now() + std::chrono::milliseconds(c_.limits->write_stall_ms)) <= 0) return -1;
        }
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override { address(false, ip, port); }
    void get_local_ip_and_port(std::string& ip, int& port) const override { address(true, ip, port); }
    socket_t socket() const override { return c_.fd; }

private:
    void address(bool local, std::string& ip, int& port) const {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        auto* sa = reinterpret_cast<sockaddr*>(&addr);
        if ((local ? getsockname(c_.fd, sa, &len) : getpeername(c_.fd, sa, &len)) != 0) return;
        char text[INET6_ADDRSTRLEN] = {};
        if (addr.ss_family == AF_INET) {
            auto* in = reinterpret_cast<sockaddr_in*>(&addr);
            inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
            port = ntohs(in->sin_port);
        } else if (addr.ss_family == AF_INET6) {
            auto* in = reinterpret_cast<sockaddr_in6*>(&addr);
            inet_ntop(AF_INET6, &in->sin6_addr, text, sizeof text);
            port = ntohs(in->sin6_port);
        }
        ip = text;
    }

    Connection& c_;
};

const char* reason(int status) {
    switch (status) {
        case 408: return "Request Timeout";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 431: return "Request Header Fields Too Large";
        case 503: return "Service Unavailable";
        default: return "Error";
    }
}

std::string json_escape(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '"' || ch == '\\') out += '\\';
        if (static_cast<unsigned char>(ch) < 0x20) continue;
        out += ch;
    }
    return out;
}

// An error answer written straight to the socket, for when the request could not be parsed far
// enough for the library to answer (or was never read: too many connections).
void write_raw_error(int fd, const ConnectionFailure& f, const std::string& extra_headers, int64_t stall_ms) {
    const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string body = "{\"error\":\"" + json_escape(f.message) + "\",\"code\":\"" + f.code + "\",\"time\":" + std::to_string(now_ms) + "}";
    const std::string out = "HTTP/1.1 " + std::to_string(f.status) + " " + reason(f.status) +
                            "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
    size_t sent = 0;
    const auto deadline = Clock::now() + std::chrono::milliseconds(stall_ms);
    while (sent < out.size()) {
        ssize_t n = ::send(fd, out.data() + sent, out.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<size_t>(n);
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
            if (wait_for(fd, POLLOUT, -1, deadline) <= 0) return;
        } else {
            return;
        }
    }
}

// Closes a connection whose client may still be sending (a refused body): ends our side first and
// reads what arrives for a moment, so the client gets the answer rather than a reset.
void close_gently(int fd, int drain_ms) {
    ::shutdown(fd, SHUT_WR);
    if (drain_ms > 0) {
        char sink[16 * 1024];
        size_t drained = 0;
        const auto deadline = Clock::now() + std::chrono::milliseconds(drain_ms);
        while (drained < (4u << 20) && wait_for(fd, POLLIN, -1, deadline) > 0) {
            ssize_t n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
            if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) break;
            if (n > 0) drained += static_cast<size_t>(n);
        }
    }
    ::close(fd);
}

}  // namespace

bool send_large_file(httplib::Response& res, const std::string& path, const std::string& content_type) {
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (ec || size <= kStreamFromBytes) return false;
    auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
    if (!*file) return false;
    res.set_content_provider(static_cast<size_t>(size), content_type, [file](size_t offset, size_t length, httplib::DataSink& sink) {
        char buf[64 * 1024];
        file->clear();
        file->seekg(static_cast<std::streamoff>(offset));
        file->read(buf, static_cast<std::streamsize>(std::min(length, sizeof buf)));
        const auto got = file->gcount();
        return got > 0 && sink.write(buf, static_cast<size_t>(got));
    });
    return true;
}

const ConnectionFailure* connection_failure() {
    return t_connection && t_connection->failure ? &*t_connection->failure : nullptr;
}

HttpServer::HttpServer(ConnectionLimits limits) : limits_(limits) {
    stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    new_task_queue = [this] { return new ElasticPool(limits_.max_threads, limits_.thread_stack_bytes); };
    set_payload_max_length(limits_.max_body_bytes);
    set_keep_alive_max_count(static_cast<size_t>(std::max(1, limits_.max_requests_per_connection)));
    set_keep_alive_timeout(std::max<time_t>(1, limits_.idle_timeout_ms / 1000));
    // An answer to a refused request, or the connection's last one, says the connection closes.
    set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
        if (t_connection && (t_connection->failure || t_connection->last_request)) {
            res.headers.erase("Keep-Alive");
            res.headers.erase("Connection");
            res.headers.emplace("Connection", "close");
        }
    });
}

HttpServer::~HttpServer() {
    if (stop_fd_ >= 0) ::close(stop_fd_);
}

int HttpServer::bind(const std::string& host, int port) {
    int bound = port;
    if (port == 0) {
        bound = bind_to_any_port(host);
    } else if (!bind_to_port(host, port)) {
        bound = -1;
    }
    if (bound < 0) return -1;
    // The library listened with its built-in backlog of 5; a second listen() changes the queue.
    if (::listen(svr_sock_, limits_.backlog) != 0) return -1;
    return bound;
}

void HttpServer::shutdown() {
    if (stop_fd_ >= 0) {
        uint64_t one = 1;
        (void)!::write(stop_fd_, &one, sizeof one);
    }
    stop();
}

bool HttpServer::process_and_close_socket(socket_t sock) {
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct Count {
        std::atomic<int>& n;
        ~Count() { --n; }
    } count{open_};
    if (++open_ > limits_.max_connections) {
        write_raw_error(sock, {503, "the server has too many open connections (the limit is " + std::to_string(limits_.max_connections) + "); try again shortly",
                               "too_many_connections"},
                        "Retry-After: 1\r\n", 1000);
        close_gently(sock, 200);  // the request we did not read, so the client sees the 503, not a reset
        return false;
    }

    Connection c;
    c.fd = sock;
    c.stop_fd = stop_fd_;
    c.limits = &limits_;
    t_connection = &c;
    bool ret = false;
    const int max_requests = std::max(1, limits_.max_requests_per_connection);
    for (int i = 0; i < max_requests && svr_sock_ != INVALID_SOCKET; ++i) {
        // The next request's first byte: an idle connection is closed after idle_timeout_ms.
        if (c.pos == c.buf.size() &&
            wait_for(sock, POLLIN, stop_fd_, Clock::now() + std::chrono::milliseconds(limits_.idle_timeout_ms)) <= 0)
            break;
        c.begin_request();
        c.last_request = i + 1 == max_requests;
        bool closed = false;
        LimitedStream strm(c);
        ret = process_request(
            strm, c.last_request, closed, [&c](httplib::Request& req) {
                // At most one range: many (overlapping) ranges of one file multiply the answer.
                // The Range header is then ignored and the whole file is sent (RFC 9110 allows it).
                if (req.ranges.size() > 1) req.ranges.clear();
                // The body's length must be told one way (RFC 9112 6.3): two Content-Lengths, one
                // that is not a number, or one beside Transfer-Encoding are how requests are
                // smuggled past a proxy that reads them otherwise.
                const size_t lengths = req.get_header_value_count("Content-Length");
                if (lengths > 0 && req.has_header("Transfer-Encoding"))
                    return c.fail(400, "a request may not have both Content-Length and Transfer-Encoding", "invalid_request");
                for (size_t k = 0; k < lengths; ++k) {
                    const std::string v = req.get_header_value("Content-Length", k);
                    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
                        return c.fail(400, "Content-Length must be a whole number of bytes", "invalid_request");
                    if (v != req.get_header_value("Content-Length"))
                        return c.fail(400, "the request has two different Content-Length headers", "invalid_request");
                }
                if (req.has_header("Transfer-Encoding") && req.get_header_value("Transfer-Encoding") != "chunked")
                    return c.fail(400, "Transfer-Encoding must be chunked", "invalid_request");
                // No length at all is no body (RFC 9112 6.3), not "read until the connection closes".
                if (lengths == 0 && !req.has_header("Transfer-Encoding")) req.set_header("Content-Length", "0");
                // A compressed body would be inflated whole into memory, past the body limit.
                const std::string enc = req.get_header_value("Content-Encoding");
                const bool has_body = req.has_header("Transfer-Encoding") ||
                                      (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
                if (has_body && !enc.empty() && enc != "identity")
                    c.fail(415, "Content-Encoding: the server takes request bodies uncompressed, got '" + enc.substr(0, 40) + "'",
                           "unsupported_encoding");
            });
        if (c.failure) {
            if (!c.wrote) write_raw_error(sock, *c.failure, "", limits_.write_stall_ms);
            break;
        }
        if (!ret || closed) break;
    }
    t_connection = nullptr;
    close_gently(sock, c.failure ? 2000 : 0);
    return ret;
}

}  // namespace crm
