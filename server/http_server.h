#pragma once
// The server's connection layer: cpp-httplib's Server with a connection loop of its own, so that
// no client can hold the server's threads or memory by being slow, idle or large.
//
// cpp-httplib (0.11.4) reads each connection on one pool thread: a client that sends its headers
// a byte at a time, or opens connections and sends nothing, keeps that thread; a chunked body is
// read whole whatever its size; a Range header with many ranges is answered with all of them.
// HttpServer bounds each of these (ConnectionLimits) and answers with the JSON errors of the API:
// 408 `request_timeout`, 413 `too_large`, 431 `headers_too_large`, 415 `unsupported_encoding`,
// 503 `too_many_connections`.
#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace crm {

struct ConnectionLimits {
    int max_connections = 4096;            // open connections; beyond it: 503 and close
    int64_t header_timeout_ms = 10'000;    // from a request's first byte to the end of its headers
    int64_t body_timeout_ms = 60'000;      // from the end of the headers to the end of the body
    int64_t idle_timeout_ms = 5'000;       // keep-alive: waiting for the next request's first byte
    int64_t write_stall_ms = 10'000;       // an answer that makes no progress for this long is dropped
    int max_requests_per_connection = 100; // then the connection is closed (Connection: close)
    size_t max_header_bytes = 64 * 1024;   // request line and headers together
    size_t max_body_bytes = 8 * 1024 * 1024;  // any body, Content-Length or chunked
    int max_threads = 4096;                // request threads (started on demand, idle ones end)
    int backlog = 4096;                    // the listen queue
    size_t thread_stack_bytes = 512 * 1024;
};

// Why the current thread's connection is being refused (set while a request is read; the API's
// error handler turns it into the JSON answer).
struct ConnectionFailure {
    int status = 0;
    std::string message;
    std::string code;
};
// The failure of the request this thread is reading or answering, if any.
const ConnectionFailure* connection_failure();

// Answers with the file at `path` read from disk as it is sent, 64 KiB at a time (ranges too),
// when it is larger than kStreamFromBytes: a thousand slow downloads of a 4 MB font must not
// hold a thousand copies of it in memory. False (and `res` untouched) for smaller files, or
// when the file cannot be opened.
inline constexpr uint64_t kStreamFromBytes = 1 << 20;
bool send_large_file(httplib::Response& res, const std::string& path, const std::string& content_type);

class HttpServer : public httplib::Server {
public:
    explicit HttpServer(ConnectionLimits limits);
    ~HttpServer() override;

    // Listens with limits().backlog (cpp-httplib is built with a backlog of 5). Returns the port,
    // or -1. `port` 0 picks a free one.
    int bind(const std::string& host, int port);
    // Stops accepting, wakes every connection waiting for a request and closes it; requests being
    // handled finish. Safe from any thread, repeatable.
    void shutdown();

    const ConnectionLimits& limits() const { return limits_; }
    int open_connections() const { return open_.load(); }

private:
    bool process_and_close_socket(socket_t sock) override;

    ConnectionLimits limits_;
    std::atomic<int> open_{0};
    int stop_fd_ = -1;  // an eventfd, readable once the server stops
};

}  // namespace crm
