#include "http_api.h"

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <atomic>
#include <cstdio>
#include <optional>

#include "accounts.h"
#include "hlc.h"
#include "http_server.h"
#include "json_limits.h"
#include "push_body.h"
#include "request_parsing.h"
#include "snapshot.h"
#include "static_files.h"
#include "sync_store.h"
#include "text.h"
#include "workspaces.h"

namespace crm {
namespace {

using nlohmann::json;

// How long a client refused a long-poll waits before asking again (Retry-After).
constexpr int kWaitRetryAfterS = 30;

// Served with every response: the page may load only its own scripts, wasm and fonts, and
// talk only to this server.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

// The server's clock for the "time" of every answer. One server per process (main.cpp); set by
// install_routes before any route can run.
std::function<int64_t()> answer_clock;

// The answer when even an error could not be put together.
constexpr const char* kUnwritableAnswer = R"({"error":"the answer could not be written","code":"server_error"})";

// Every JSON answer carries the server's clock as "time" (ms), errors included, so a client can
// learn its clock's offset from any answer. It cannot throw: text that is not UTF-8 goes out
// with U+FFFD in its place (callers quote user text through utf8_prefix, so this is a last
// line), never as a 500 that the protocol tells clients to retry forever.
void send_json(httplib::Response& res, int status, json body) noexcept {
    res.status = status;
    std::string text;
    try {
        if (body.is_object() && !body.contains("time") && answer_clock) body["time"] = answer_clock();
        text = body.dump(-1, ' ', false, json::error_handler_t::replace);
    } catch (...) {
        res.status = 500;
        text = kUnwritableAnswer;
    }
    res.set_content(std::move(text), "application/json");
}

// The machine-readable code of an error that names none of its own.
const char* default_code(int status) {
    switch (status) {
        case 400: return "invalid_request";
        case 401: return "unauthorized";
        case 403: return "forbidden";
        case 404: return "not_found";
        case 405: return "method_not_allowed";
        case 409: return "conflict";
        case 413: return "too_large";
        case 414: return "uri_too_long";
        case 415: return "unsupported_media_type";
        case 416: return "range_not_satisfiable";
        case 429: return "too_many_requests";
        case 431: return "headers_too_large";
        case 503: return "unavailable";
        default: return status >= 500 ? "server_error" : "invalid_request";
    }
}

// Every error: {"error": "<what is wrong, in words>", "code": "<machine-readable>"}.
void send_error(httplib::Response& res, int status, const std::string& message, const std::string& code = "") noexcept {
    try {
        send_json(res, status, {{"error", message}, {"code", code.empty() ? default_code(status) : code}});
    } catch (...) {
        res.status = 500;
        res.set_content(kUnwritableAnswer, "application/json");
    }
}

// A failure of the server's own (a file it cannot open, a full disk): the details, which name
// files of the server's, go to its log under a reference; the client gets what failed and that
// reference, never the server's paths.
void send_internal_error(httplib::Response& res, const std::string& what_failed, const std::string& detail) noexcept {
    static std::atomic<uint64_t> count{0};
    const std::string ref = "E" + std::to_string(++count);
    std::fprintf(stderr, "crm-server: error %s: %s: %s\n", ref.c_str(), what_failed.c_str(), detail.c_str());
    send_error(res, 500, what_failed + "; try again in a moment (the server's log has the details under " + ref + ")", "server_error");
}

std::string default_message(int status) {
    switch (status) {
        case 400: return "the request is malformed";
        case 404: return "no such resource";
        case 405: return "this method is not allowed here";
        case 413: return "the request body is larger than the limit of " + std::to_string(kMaxRequestBytes) + " bytes";
        case 414: return "the request URI is too long";
        case 431: return "the request headers are too large";
        default: return "the request failed with HTTP status " + std::to_string(status);
    }
}

// Parses a non-negative integer query parameter; `fallback` when absent.
Result<int64_t> int_param(const httplib::Request& req, const char* name, int64_t fallback, int64_t max) {
    if (!req.has_param(name)) return fallback;
    const std::string v = req.get_param_value(name);
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos)
        return Error{name, "must be a whole number of 0 or more, got '" + utf8_prefix(v, 40) + "'"};
    int64_t n = std::stoll(v);
    if (n > max) return Error{name, "must be at most " + std::to_string(max) + ", got " + v};
    return n;
}


void send_refusal(httplib::Response& res, const Refusal& r) {
    if (r.status == 401) res.set_header("WWW-Authenticate", "Bearer");
    if (r.retry_after_s > 0) res.set_header("Retry-After", std::to_string(r.retry_after_s));
    send_error(res, r.status, r.message, r.code);
}

std::optional<Refusal> refuse_unless_json(const httplib::Request& req) {
    const std::string type = req.get_header_value("Content-Type");
    if (is_json_media_type(type)) return std::nullopt;
    return Refusal{415, "this request needs Content-Type: application/json, got '" + utf8_prefix(type, 80) + "'", "not_json"};
}

// Parses a JSON object body whose members are all strings and all among `allowed`.
Outcome<json> json_object_body(const httplib::Request& req, std::initializer_list<const char*> allowed) {
    if (auto r = refuse_unless_json(req)) return *r;
    return read_string_object(req.body, allowed);
}

std::string member(const json& body, const char* name) { return body.contains(name) ? body[name].get<std::string>() : ""; }

// The token of "Authorization: Bearer <token>", the scheme in any case (RFC 7235); empty when
// there is no header, nullopt when the header is not of that form.
std::optional<std::string> bearer_token(const httplib::Request& req) {
    return bearer_token_of(req.get_header_value("Authorization"));
}

json workspace_json(const WorkspaceInfo& w) { return {{"id", w.id}, {"name", w.name}, {"role", w.role}}; }

json session_json(const Session& s, const std::vector<WorkspaceInfo>& all) {
    json list = json::array();
    for (const auto& w : all) list.push_back(workspace_json(w));
    return {{"account", {{"id", s.account_id}, {"email", s.email}}}, {"workspace", workspace_json(s.workspace)},
            {"workspaces", std::move(list)}, {"expires_at", s.expires_at}};
}

void send_signed_in(httplib::Response& res, int status, const SignedIn& in) {
    json j = session_json(in.session, in.workspaces);
    j["token"] = in.token;
    send_json(res, status, std::move(j));
}

// What every authenticated request gets: the session, and its workspace's store.
struct Authorized {
    Session session;
    std::shared_ptr<SyncStore> store;  // open while this request holds it
};

std::optional<Authorized> authorize(const Api& api, const httplib::Request& req, httplib::Response& res) {
    auto token = bearer_token(req);
    if (!token) {
        send_refusal(res, Refusal{401, "the Authorization header must be 'Bearer <token>'; sign in again", "malformed_token"});
        return std::nullopt;
    }
    auto session = api.accounts.authenticate(*token, api.options.now_ms());
    if (auto* r = std::get_if<Refusal>(&session)) {
        send_refusal(res, *r);
        return std::nullopt;
    }
    auto store = api.workspaces.get(std::get<Session>(session).workspace.id);
    if (!store) {
        send_internal_error(res, "the workspace's store cannot be opened", store.error().to_string());
        return std::nullopt;
    }
    return Authorized{std::move(std::get<Session>(session)), *store};
}

// `author`: the pushing session's account (its email), logged with each change.
void handle_push(SyncStore& store, const std::string& workspace_id, const std::string& author, const HttpOptions& opt,
                 const httplib::Request& req, httplib::Response& res) {
    if (auto r = refuse_unless_json(req)) return send_refusal(res, *r);
    // The usual body takes the quick reader; anything else the general one, which names what is
    // wrong. Both refuse and accept the same bodies, with the same messages.
    std::optional<PushBody> quick = read_push_body(req.body);
    json body;
    if (!quick) {
        auto parsed = parse_json_strict(req.body);
        if (auto* r = std::get_if<JsonRefusal>(&parsed)) return send_refusal(res, body_refusal(*r));
        body = std::move(std::get<json>(parsed));
        if (!body.is_object()) return send_error(res, 400, "the body must be a JSON object with batch_id and changes", "invalid_json");
        for (auto it = body.begin(); it != body.end(); ++it)
            if (it.key() != "batch_id" && it.key() != "changes" && it.key() != "workspace_id")
                return send_error(res, 400, "unknown member '" + utf8_prefix(it.key(), 40) + "' (expected batch_id, changes, workspace_id)",
                                  "unknown_member");
        if (body.contains("workspace_id") && !body["workspace_id"].is_string())
            return send_error(res, 400, "workspace_id: must be a string", "invalid_value");
    }
    // A client names the workspace its outbox belongs to, so changes made in one workspace are
    // never written into another by a token for it (say, after signing in to another account).
    std::optional<std::string> named_workspace =
        quick ? quick->workspace_id
              : body.contains("workspace_id") ? std::optional<std::string>(body["workspace_id"].get<std::string>()) : std::nullopt;
    if (named_workspace && *named_workspace != workspace_id)
        return send_error(res, 403, "workspace_id: this batch belongs to workspace " + utf8_prefix(*named_workspace, 64) +
                                        " but the token is for workspace " + workspace_id + "; nothing was written",
                          "wrong_workspace");
    if (!quick && (!body.contains("batch_id") || !body["batch_id"].is_string()))
        return send_error(res, 400, "batch_id: is missing or not a string", "invalid_value");
    const std::string batch_id = quick ? quick->batch_id : body["batch_id"].get<std::string>();
    if (batch_id.empty() || batch_id.size() > 128)
        return send_error(res, 400, "batch_id: must be 1 to 128 characters", "invalid_value");
    std::vector<Change> parsed;
    if (quick) {
        parsed = std::move(quick->changes);
        for (size_t i = 0; i < parsed.size(); ++i)
            if (auto s = check_change(parsed[i]); !s) {
                std::string where = "changes[" + std::to_string(i) + "]";
                if (!s.error().field.empty()) where += "." + s.error().field;
                return send_error(res, 400, Error{where, s.error().message}.to_string(), "invalid_value");
            }
    } else {
        if (!body.contains("changes")) return send_error(res, 400, "changes: is missing", "invalid_value");
        auto all = parse_changes(body["changes"]);
        if (!all) return send_error(res, 400, all.error().to_string(), "invalid_value");
        parsed = std::move(*all);
    }
    // An empty batch would use up its id: the real batch sent with it later would be taken for
    // a duplicate and dropped.
    if (parsed.empty()) return send_error(res, 400, "changes: is empty; a batch holds 1 to " + std::to_string(kMaxBatchChanges) + " changes", "empty_batch");
    // The server says who made each change; whatever a client put there is replaced.
    for (auto& c : parsed) c.author = author;
    auto changes = &parsed;
    // A stamp far in the future would win every conflict until the world caught up with it.
    const int64_t now = opt.now_ms();
    for (size_t i = 0; i < changes->size(); ++i) {
        auto h = Hlc::decode((*changes)[i].hlc);
        if (h && h->wall_ms > now + kMaxClockDriftMs)
            return send_error(res, 400, "changes[" + std::to_string(i) + "].hlc: stamped " +
                                            std::to_string((h->wall_ms - now) / 1000) + " s ahead of the server's clock (the limit is " +
                                            std::to_string(kMaxClockDriftMs / 1000) + " s); set the device's clock right and sync again",
                              "clock_ahead");
    }
    auto result = store.push(batch_id, *changes, opt.now_ms());
    if (!result) return send_internal_error(res, "the server could not do this", result.error().to_string());
    if (result->conflict)
        return send_error(res, 409, "batch_id: '" + batch_id + "' was used before for other changes (logged up to " +
                                        std::to_string(result->cursor) + "); nothing was written: send these under a new batch_id",
                          "batch_conflict");
    send_json(res, 200, {{"cursor", result->cursor}, {"accepted", result->accepted},
                         {"duplicate", result->duplicate}, {"epoch", store.epoch()}, {"time", opt.now_ms()}});
}

void handle_pull(SyncStore& store, const HttpOptions& opt, const httplib::Request& req, httplib::Response& res) {
    auto after = int_param(req, "after", 0, INT64_MAX / 2);
    if (!after) return send_error(res, 400, after.error().to_string(), "invalid_value");
    auto limit = int_param(req, "limit", 1000, 10000);
    if (!limit) return send_error(res, 400, limit.error().to_string(), "invalid_value");
    if (*limit == 0) return send_error(res, 400, "limit: must be at least 1", "invalid_value");
    auto result = store.pull(*after, *limit);
    if (!result) return send_internal_error(res, "the server could not do this", result.error().to_string());
    json changes = json::array();
    for (const auto& lc : result->changes) {
        json j = lc.change.to_json();
        j["seq"] = lc.seq;
        changes.push_back(std::move(j));
    }
    send_json(res, 200, {{"changes", std::move(changes)}, {"cursor", result->cursor}, {"more", result->more},
                         {"latest", result->latest}, {"epoch", store.epoch()}, {"time", opt.now_ms()}});
}

// The live channel: answers as soon as the log passes `after`, or after `timeout` seconds.
// Each waiting long-poll holds a thread and a connection: beyond the server's caps (in all, per
// session) it answers 503 with Retry-After, and the client polls instead until then.
void handle_wait(Api& api, SyncStore& store, const HttpOptions& opt, const httplib::Request& req, httplib::Response& res) {
    auto after = int_param(req, "after", 0, INT64_MAX / 2);
    if (!after) return send_error(res, 400, after.error().to_string(), "invalid_value");
    auto timeout = int_param(req, "timeout", 25, 55);
    if (!timeout) return send_error(res, 400, timeout.error().to_string(), "invalid_value");
    WaitSlot slot;
    const auto refused = api.workspaces.begin_wait(bearer_token(req).value_or(""), slot);
    if (refused != WorkspaceStores::WaitRefusal::None) {
        res.set_header("Retry-After", std::to_string(kWaitRetryAfterS));
        const auto& o = api.workspaces.options();
        return send_error(res, 503,
                          refused == WorkspaceStores::WaitRefusal::Total
                              ? "the server has " + std::to_string(o.max_waits) + " long-polls open, its limit; poll with pull and try wait again in " +
                                    std::to_string(kWaitRetryAfterS) + " s"
                              : "this session has " + std::to_string(o.max_waits_per_session) + " long-polls open, its limit; close one or try again in " +
                                    std::to_string(kWaitRetryAfterS) + " s",
                          "too_many_waits");
    }
    int64_t latest = store.wait_for_changes(*after, *timeout * 1000);
    send_json(res, 200, {{"latest", latest}, {"epoch", store.epoch()}, {"time", opt.now_ms()}});
}

// Whom the sign-in limits count a request against: the TCP peer, or, when the peer is the trusted
// reverse proxy, the client address the proxy put in X-Real-IP (an address's characters only).
Caller caller_of(const Api& api, const httplib::Request& req) {
    Caller c{req.remote_addr, api.options.now_ms()};
    if (api.options.trusted_proxy.empty() || req.remote_addr != api.options.trusted_proxy) return c;
    const std::string real = req.get_header_value("X-Real-IP");
    if (!real.empty() && real.size() <= 45 && real.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos)
        c.address = real;
    return c;
}

void handle_sign_up(Api& api, const httplib::Request& req, httplib::Response& res) {
    auto body = json_object_body(req, {"email", "password", "workspace_name", "invite"});
    if (auto* r = std::get_if<Refusal>(&body)) return send_refusal(res, *r);
    const json& b = std::get<json>(body);
    auto in = api.accounts.sign_up(member(b, "email"), member(b, "password"), member(b, "workspace_name"), member(b, "invite"),
                                   caller_of(api, req));
    if (auto* r = std::get_if<Refusal>(&in)) return send_refusal(res, *r);
    send_signed_in(res, 201, std::get<SignedIn>(in));
}

// With "invite", an existing account joins the invite's workspace and is signed in there.
void handle_log_in(Api& api, const httplib::Request& req, httplib::Response& res) {
    auto body = json_object_body(req, {"email", "password", "workspace_id", "invite"});
    if (auto* r = std::get_if<Refusal>(&body)) return send_refusal(res, *r);
    const json& b = std::get<json>(body);
    auto in = api.accounts.log_in(member(b, "email"), member(b, "password"), member(b, "workspace_id"), member(b, "invite"),
                                  caller_of(api, req));
    if (auto* r = std::get_if<Refusal>(&in)) return send_refusal(res, *r);
    send_signed_in(res, 200, std::get<SignedIn>(in));
}

}  // namespace

void install_routes(httplib::Server& server, Api& api) {
    const HttpOptions& opt = api.options;
    answer_clock = opt.now_ms;
    server.set_payload_max_length(kMaxRequestBytes);
    // cpp-httplib compresses JSON and text answers itself and, when the browser offers "br" (every
    // browser does), uses brotli at its slowest quality: 3.4 s to compress one 900 KB pull page,
    // which made a fresh browser's initial sync 40 times slower than the server's work. The
    // library offers no quality setting, so the server takes brotli off the offer and the library
    // uses gzip (zlib's default level: ~20 ms for the same page). The request is the library's own
    // object, not a const one; only this header is changed, before any handler reads it.
    server.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
        // A path is quoted back in messages and looked up as a file name: refuse one that is not
        // UTF-8 (after percent-decoding) once, here, rather than answer it with replaced bytes.
        if (!utf8_length(req.path)) {
            send_error(res, 400, "the path is not valid UTF-8 (after percent-decoding)", "invalid_path");
            return httplib::Server::HandlerResponse::Handled;
        }
        auto& headers = const_cast<httplib::Request&>(req).headers;
        auto it = headers.find("Accept-Encoding");
        if (it != headers.end())
            it->second = accepts_gzip(it->second) ? "gzip" : "identity";
        return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_default_headers({
        {"Content-Security-Policy", kContentSecurityPolicy},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "no-referrer"},
    });

    server.Get("/api/v1/health", [&opt](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, {{"ok", true}, {"time", opt.now_ms()}});
    });

    // Accounts and sessions.
    server.Post("/api/v1/auth/signup", [&api](const httplib::Request& req, httplib::Response& res) { handle_sign_up(api, req, res); });
    server.Post("/api/v1/auth/login", [&api](const httplib::Request& req, httplib::Response& res) { handle_log_in(api, req, res); });
    server.Post("/api/v1/auth/logout", [&api](const httplib::Request& req, httplib::Response& res) {
        auto a = authorize(api, req, res);
        if (!a) return;
        api.accounts.log_out(bearer_token(req).value_or(""));
        send_json(res, 200, {{"ok", true}});
    });
    server.Get("/api/v1/auth/session", [&api](const httplib::Request& req, httplib::Response& res) {
        auto a = authorize(api, req, res);
        if (!a) return;
        send_json(res, 200, session_json(a->session, api.accounts.workspaces_of(a->session.account_id)));
    });
    server.Post("/api/v1/invites", [&api](const httplib::Request& req, httplib::Response& res) {
        auto a = authorize(api, req, res);
        if (!a) return;
        auto inv = api.accounts.create_invite(a->session, api.options.now_ms());
        if (auto* r = std::get_if<Refusal>(&inv)) return send_refusal(res, *r);
        const auto& i = std::get<Invite>(inv);
        send_json(res, 201, {{"code", i.code}, {"expires_at", i.expires_at}, {"workspace", workspace_json(a->session.workspace)}});
    });

    // Sync: each request reaches the store of its token's workspace, and only that one.
    server.Post("/api/v1/push", [&api](const httplib::Request& req, httplib::Response& res) {
        if (auto a = authorize(api, req, res)) {
            handle_push(*a->store, a->session.workspace.id, a->session.email, api.options, req, res);
            if (res.status == 200) api.workspaces.snapshot_soon(a->session.workspace.id);
        }
    });
    server.Get("/api/v1/pull", [&api](const httplib::Request& req, httplib::Response& res) {
        if (auto a = authorize(api, req, res)) handle_pull(*a->store, api.options, req, res);
    });
    server.Get("/api/v1/wait", [&api](const httplib::Request& req, httplib::Response& res) {
        if (auto a = authorize(api, req, res)) handle_wait(api, *a->store, api.options, req, res);
    });
    // A new device's starting point: the workspace's records as one SQLite file (gzip).
    server.Get("/api/v1/snapshot", [&api](const httplib::Request& req, httplib::Response& res) {
        auto a = authorize(api, req, res);
        if (!a) return;
        auto snap = api.workspaces.snapshot(a->session.workspace.id);
        if (!snap) return send_internal_error(res, "the snapshot could not be made", snap.error().to_string());
        auto body = read_file(snap->gz_path);
        if (!body) return send_error(res, 503, "the snapshot was replaced while being read; ask again");
        res.set_header("X-Crm-Cursor", std::to_string(snap->cursor));
        res.set_header("X-Crm-Epoch", snap->epoch);
        res.set_header("X-Crm-Size", std::to_string(snap->size));
        res.set_header("X-Crm-Sha256", snap->sha256);
        res.set_header("Cache-Control", "no-store");
        if (req.get_header_value("Accept-Encoding") == "gzip") {  // as the pre-routing handler left it
            res.set_header("Content-Encoding", "gzip");
            res.set_content(std::move(*body), "application/vnd.sqlite3");
        } else {
            std::string plain;
            if (auto s = gunzip(*body, plain); !s) return send_internal_error(res, "the snapshot could not be unpacked", s.error().to_string());
            res.set_content(std::move(plain), "application/vnd.sqlite3");
        }
    });
    server.Get("/api/.*", [](const httplib::Request& req, httplib::Response& res) {
        send_error(res, 404, "no API endpoint " + utf8_prefix(req.path, 100));
    });
    server.Get("/.*", [&opt](const httplib::Request& req, httplib::Response& res) {
        auto path = resolve_static_path(opt.web_root, req.path);
        if (!path) return send_error(res, 400, "the path '" + utf8_prefix(req.path, 100) + "' is not one this server serves", "invalid_path");
        // The service worker revalidates every file, so a new version reaches clients on their next visit.
        res.set_header("Cache-Control", "no-cache");
        res.set_header("Vary", "Accept-Encoding");
        // The build writes client.wasm.gz beside client.wasm: serve it to browsers that take gzip.
        const bool gzip_ok = req.get_header_value("Accept-Encoding") == "gzip";  // as the pre-routing handler left it
        if (gzip_ok && path->size() > 5 && path->compare(path->size() - 5, 5, ".wasm") == 0) {
            if (auto gz = read_file(*path + ".gz")) {
                res.set_header("Content-Encoding", "gzip");
                res.set_content(std::move(*gz), content_type_for(*path));
                return;
            }
        }
        if (send_large_file(res, *path, content_type_for(*path))) return;  // fonts: streamed, not copied per request
        auto body = read_file(*path);
        if (!body) return send_error(res, 404, "no file " + utf8_prefix(req.path, 100));
        res.set_content(std::move(*body), content_type_for(*path));
    });

    // Any other method, or a POST where none is taken: 405 naming what the path takes.
    const auto not_allowed = [](const httplib::Request& req, httplib::Response& res) {
        const bool api_post = req.path.rfind("/api/v1/auth/", 0) == 0 || req.path == "/api/v1/push" || req.path == "/api/v1/invites";
        res.set_header("Allow", api_post ? "POST" : "GET, HEAD");
        send_error(res, 405, req.method + " is not allowed on " + utf8_prefix(req.path, 100) + " (it takes " + (api_post ? "POST" : "GET") + ")",
                   "method_not_allowed");
    };
    server.Post("/.*", not_allowed);
    server.Put("/.*", not_allowed);
    server.Patch("/.*", not_allowed);
    server.Delete("/.*", not_allowed);
    server.Options("/.*", not_allowed);

    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        // A request the connection layer refused (too slow, too large): its own status and code.
        if (const ConnectionFailure* f = connection_failure()) return send_error(res, f->status, f->message, f->code);
        if (res.body.empty()) send_error(res, res.status, default_message(res.status));
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        send_internal_error(res, "the server failed on this request", what);
    });
}

}  // namespace crm
