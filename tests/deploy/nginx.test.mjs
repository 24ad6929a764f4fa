// The shipped nginx configuration (server/deploy/nginx.conf, only its placeholders replaced) run
// by Debian's nginx in a temp dir with a self-signed certificate, in front of a real crm-server,
// all on 127.0.0.1. The app runs through it in headless Chromium (sign up, a contact, a live edit
// reaching a second browser through the long-poll); plain HTTPS requests check the limits,
// timeouts, redirect, headers and error answers a deployment relies on.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import { join } from "node:path";
import tls from "node:tls";
import { gunzipSync, gzipSync } from "node:zlib";
import { assert, assertNoConsoleErrors, click, env, fill, launchBrowser, openPage, removeDir, runTest, screenshot,
         signInIfAsked, startServer, state, tempDir, waitForState } from "../browser/lib.mjs";
import { settledRect } from "../browser/screens_lib.mjs";

const NGINX = process.env.CRM_NGINX || "/usr/sbin/nginx";
// CRM_NGINX_SITE runs the checks against another site file (to see them fail without the shipped one).
const SITE = process.env.CRM_NGINX_SITE || new URL("../../server/deploy/nginx.conf", import.meta.url);
const MiB = 1024 * 1024;

async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function until(what, fn, timeout = 30000) {
  const start = Date.now();
  let last;
  while (Date.now() - start < timeout) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}

// A self-signed certificate for 127.0.0.1, and the SPKI hash Chromium is told to trust.
function makeCertificate(dir) {
  const cert = join(dir, "cert.pem"), key = join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
  const pub = execFileSync("openssl", ["x509", "-in", cert, "-pubkey", "-noout"]);
  const der = execFileSync("openssl", ["pkey", "-pubin", "-outform", "der"], { input: pub });
  const spki = execFileSync("openssl", ["dgst", "-sha256", "-binary"], { input: der }).toString("base64");
  return { cert, key, pem: readFileSync(cert), spki };
}

// Starts nginx with the shipped site file inside a main config of its own (pid, logs, temp paths
// in `dir`); resolves once it answers over HTTPS.
async function startNginx({ dir, upstreamPort, certificate }) {
  const httpsPort = await freePort(), httpPort = await freePort();
  const values = {
    SERVER_NAME: "127.0.0.1", HTTPS_LISTEN: `127.0.0.1:${httpsPort}`, HTTPS_PORT: String(httpsPort),
    HTTP_LISTEN: `127.0.0.1:${httpPort}`, CERTIFICATE: certificate.cert, PRIVATE_KEY: certificate.key,
    UPSTREAM: `127.0.0.1:${upstreamPort}`,
  };
  let site = readFileSync(SITE, "utf8");
  for (const [k, v] of Object.entries(values)) site = site.replaceAll(`@${k}@`, v);
  const left = site.replace(/^\s*#.*$/gm, "").match(/@[A-Z_]+@/g);
  assert(!left, `every placeholder of nginx.conf is documented and replaced: ${left}`);
  writeFileSync(join(dir, "site.conf"), site);
  for (const t of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, t));
  const isRoot = process.getuid && process.getuid() === 0;
  writeFileSync(join(dir, "nginx.conf"), `
${isRoot ? "user root;  # workers write the temp dirs below, which belong to root" : ""}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log info;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  log_format crm '$remote_addr "$request" $status $body_bytes_sent $request_time upstream=$upstream_addr';
  access_log ${dir}/access.log crm;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`);
  const proc = spawn(NGINX, ["-p", dir, "-e", join(dir, "startup.log"), "-c", join(dir, "nginx.conf")],
                     { stdio: ["ignore", "inherit", "inherit"] });
  let exited = null;
  proc.on("exit", (code) => { exited = code; });
  const proxy = { httpsPort, httpPort, dir, proc, pem: certificate.pem };
  await until("nginx to answer over HTTPS", async () => {
    if (exited !== null) throw new Error(`nginx exited with ${exited}: ${readFileSync(join(dir, "startup.log"), "utf8")}`);
    return (await request(proxy, { path: "/api/v1/health" })).status === 200;
  });
  proxy.stop = () => new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGQUIT");
  });
  return proxy;
}

// One request on a fresh connection: over HTTPS (the certificate checked against ours) unless
// `plain`. `body` is sent with a Content-Length, or chunk by chunk when `chunked`.
function request(proxy, { path, method = "GET", headers = {}, body = null, chunked = false, plain = false }) {
  return new Promise((resolve, reject) => {
    const options = { host: "127.0.0.1", port: plain ? proxy.httpPort : proxy.httpsPort, path, method, headers: { ...headers },
                      agent: false };
    if (!plain) options.ca = proxy.pem;
    if (body !== null && !chunked) options.headers["Content-Length"] = body.length;
    const req = (plain ? http : https).request(options, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body !== null && chunked) {
      // 1 MiB chunks: the proxy refuses once the total passes its limit, possibly mid-body.
      for (let i = 0; i < body.length; i += MiB) req.write(body.subarray(i, i + MiB));
    } else if (body !== null) {
      req.write(body);
    }
    req.end();
  });
}

const json = (r) => JSON.parse(r.body.toString("utf8"));

// A body of exactly `size` bytes that is JSON for the push route.
function pushBody(size) {
  const head = '{"batch_id":"big","changes":[],"pad":"', tail = '"}';
  return Buffer.from(head + "x".repeat(size - head.length - tail.length) + tail);
}

async function createContact(page, name, email) {
  await click(page, "Nav Contacts");
  await click(page, "New record");
  await settledRect(page, "Create form");
  await fill(page, "New name", name);
  await fill(page, "New email", email);
  await click(page, "Create save");
  return (await waitForState(page, (s) => s.record && s.record.title === name, `${name}'s page`)).record.id;
}

// True when a TLS handshake limited to `version` succeeds.
function handshake(proxy, minVersion, maxVersion) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: "127.0.0.1", port: proxy.httpsPort, ca: proxy.pem, minVersion, maxVersion,
                                 ciphers: "DEFAULT:@SECLEVEL=0" }, () => {
      const v = socket.getProtocol();
      socket.end();
      resolve({ ok: true, version: v });
    });
    socket.on("error", (e) => resolve({ ok: false, error: e.message }));
  });
}


// Opens the app in a fresh profile and signs in with `account`. A fresh profile reaches the
// sign-in screen (never "open in another tab": tests/browser/first_visit.test.mjs).
async function openSignedIn(browser, url, account) {
  const page = await openPage(browser, url, { deviceScaleFactor: 1, account: null });
  await page.waitForFunction(() => window.crm.itemRect("Submit sign-in") !== null, null, { timeout: 60000 });
  await signInIfAsked(page, account);
  return page;
}

// The app through the proxy: sign up, a contact, a live edit reaching a second browser.
async function browserPart(browser, origin) {
  const alice = await openSignedIn(browser, `${origin}/`, "new");
  await until("the service worker (which needs a trusted certificate)",
              () => alice.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())), 30000);
  const id = await createContact(alice, "Ada Lovelace", "ada@example.com");
  await waitForState(alice, (s) => s.sync === "synced" && s.unpushed === 0, "Alice synced");
  const bob = await openSignedIn(browser, `${origin}/`, { email: alice.account.email, password: alice.account.password });
  const waits = [];
  bob.on("response", async (r) => {
    if (!r.url().includes("/api/v1/wait")) return;
    try { waits.push({ status: r.status(), body: await r.json() }); } catch (e) { waits.push({ status: r.status(), error: String(e) }); }
  });
  await bob.evaluate((rid) => { window.location.hash = `#/contact/${rid}`; }, id);
  await waitForState(bob, (s) => s.record && s.record.id === id, "Bob on Ada's page", 30000);
  await alice.evaluate((rid) => { window.location.hash = `#/contact/${rid}`; }, id);
  await waitForState(alice, (s) => s.record && s.record.id === id, "Alice on Ada's page");
  // Bob's next long-poll is open before the edit: wait until his tab has settled at the log's end.
  const before = (await waitForState(bob, (s) => s.sync === "synced" && s.cursor === s.latest, "Bob at the log's end")).latest;
  await fill(alice, "Field job_title", "Analyst");
  await alice.keyboard.press("Enter");
  await waitForState(alice, (s) => s.sync === "synced" && s.unpushed === 0 && s.record.values.job_title === "Analyst",
                                    "Alice's edit sent");
  await waitForState(bob, (s) => s.record && s.record.values.job_title === "Analyst", "Bob sees Alice's edit", 20000);
  assert(waits.some((w) => w.status === 200 && w.body && w.body.latest > before),
         `Bob's long-poll through the proxy woke for the edit: ${JSON.stringify(waits)}`);
  assert(bob.url().startsWith(origin), `Bob is on the HTTPS origin: ${bob.url()}`);
  await screenshot(alice, "deploy-nginx-alice");
  await screenshot(bob, "deploy-nginx-bob");
  assertNoConsoleErrors(alice);
  assertNoConsoleErrors(bob);
}

await runTest("the app through the shipped nginx configuration over HTTPS", async ({ defer, step }) => {
  const dir = tempDir("crm-nginx-");
  defer(() => removeDir(dir));
  const data = join(dir, "data");
  // The server learns the client's address from the proxy's X-Real-IP only from a proxy it was
  // told to trust; a server without the option takes no client address from headers at all.
  const help = execFileSync(env("CRM_SERVER_BINARY"), ["--help"]).toString();
  const serverArgs = help.includes("--trusted-proxy") ? ["--trusted-proxy", "127.0.0.1"] : [];
  const server = await startServer({ dataDir: data, extraArgs: serverArgs });
  defer(() => server.stop());
  const certificate = makeCertificate(dir);
  const proxy = await startNginx({ dir, upstreamPort: server.port, certificate });
  defer(() => proxy.stop());
  const origin = `https://127.0.0.1:${proxy.httpsPort}`;

  step("plain HTTP is redirected to the same path over HTTPS");
  const redirect = await request(proxy, { path: "/index.html?from=test", plain: true });
  assert(redirect.status === 301, `a redirect: ${redirect.status}`);
  assert(redirect.headers.location === `${origin}/index.html?from=test`, `to HTTPS: ${redirect.headers.location}`);
  const apiRedirect = await request(proxy, { path: "/api/v1/health", plain: true });
  assert(apiRedirect.status === 301, `the API is not served in plain HTTP either: ${apiRedirect.status}`);

  step("TLS 1.2 and 1.3 only");
  const modern = await handshake(proxy, "TLSv1.2", "TLSv1.3");
  assert(modern.ok && modern.version === "TLSv1.3", `TLS 1.3 by default: ${JSON.stringify(modern)}`);
  const tls12 = await handshake(proxy, "TLSv1.2", "TLSv1.2");
  assert(tls12.ok, `TLS 1.2 still works: ${JSON.stringify(tls12)}`);
  const old = await handshake(proxy, "TLSv1", "TLSv1.1");
  assert(!old.ok && /protocol version|unsupported protocol|no protocols available/i.test(old.error), `TLS 1.1 refused: ${JSON.stringify(old)}`);

  step("the server's security headers pass through, with HSTS and no nginx version");
  const index = await request(proxy, { path: "/" });
  assert(index.status === 200 && index.body.toString().includes("<html"), `the page: ${index.status}`);
  for (const h of ["content-security-policy", "x-content-type-options", "referrer-policy"])
    assert(index.headers[h], `${h} passed through: ${JSON.stringify(index.headers)}`);
  assert(/max-age=\d{7,}/.test(index.headers["strict-transport-security"] || ""), `HSTS: ${index.headers["strict-transport-security"]}`);
  assert(index.headers.server === "nginx", `no version in Server: ${index.headers.server}`);

  step("a long-poll held 55 s (the longest the protocol allows) is answered, not cut by the proxy");
  const owner = await request(proxy, { path: "/api/v1/auth/signup", method: "POST", headers: { "Content-Type": "application/json" },
    body: Buffer.from(JSON.stringify({ email: `proxy-${process.pid}@example.com`, password: "correct horse battery", workspace_name: "Proxy" })) });
  assert(owner.status === 201, `sign-up through the proxy: ${owner.status} ${owner.body}`);
  const token = json(owner).token;
  const auth = { Authorization: `Bearer ${token}` };
  const firstPull = json(await request(proxy, { path: "/api/v1/pull?after=0", headers: auth }));
  const longWaitStart = Date.now();
  // Runs while the rest of the test goes on in another workspace; checked at the end.
  const longWait = request(proxy, { path: `/api/v1/wait?after=${firstPull.latest}&timeout=55`, headers: auth })
    .then((r) => ({ ...r, seconds: (Date.now() - longWaitStart) / 1000 }));

  step("request limits: 8 MiB reaches the server, more gets the proxy's JSON 413, chunked too; headers and encodings");
  const atLimit = await request(proxy, { path: "/api/v1/push", method: "POST", headers: { ...auth, "Content-Type": "application/json" },
                                         body: pushBody(8 * MiB) });
  assert(atLimit.status === 400 && json(atLimit).error.includes("pad"),
         `a body of exactly 8 MiB is the server's to judge (it names the unknown member): ${atLimit.status} ${atLimit.body.subarray(0, 200)}`);
  for (const [what, size, chunked] of [["8 MiB + 1 byte", 8 * MiB + 1, false], ["9 MiB", 9 * MiB, false], ["9 MiB chunked", 9 * MiB, true]]) {
    const r = await request(proxy, { path: "/api/v1/push", method: "POST", headers: { ...auth, "Content-Type": "application/json" },
                                     body: pushBody(size), chunked });
    assert(r.status === 413, `${what}: 413, got ${r.status}`);
    assert(json(r).code === "too_large" && /8388608 bytes/.test(json(r).error), `${what}: a JSON error naming the limit: ${r.body}`);
  }
  const longHeader = await request(proxy, { path: "/api/v1/health", headers: { "X-Padding": "y".repeat(9000) } });
  assert(longHeader.status === 431 && json(longHeader).code === "headers_too_large", `a 9 KB header line: ${longHeader.status} ${longHeader.body}`);
  const longUri = await request(proxy, { path: `/api/v1/health?x=${"y".repeat(9000)}` });
  assert(longUri.status === 414 && json(longUri).code === "uri_too_long", `a 9 KB URI: ${longUri.status} ${longUri.body}`);
  const manyHeaders = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`X-H${i}`, "y"]));
  const crowded = await request(proxy, { path: "/api/v1/health", headers: manyHeaders });
  assert(crowded.status === 431 && json(crowded).code === "headers_too_large", `5,000 short headers (50 KB): ${crowded.status} ${crowded.body}`);
  // The server would inflate it whole, without a limit.
  const bomb = gzipSync(Buffer.alloc(64 * MiB, " "));
  const encoded = await request(proxy, { path: "/api/v1/auth/login", method: "POST",
                                         headers: { "Content-Type": "application/json", "Content-Encoding": "gzip" }, body: bomb });
  assert(encoded.status === 415 && json(encoded).code === "unsupported_encoding", `a gzip-encoded body: ${encoded.status} ${encoded.body}`);
  const health = await request(proxy, { path: "/api/v1/health" });
  assert(health.status === 200, `the proxy and the server still answer: ${health.status}`);

  step("static files: gzip for what the server sends plain, one range at most");
  const direct = async (path) => (await fetch(new URL(path, server.url))).arrayBuffer().then((b) => Buffer.from(b));
  const font = await request(proxy, { path: "/client.data", headers: { "Accept-Encoding": "gzip" } });
  assert(font.status === 200 && font.headers["content-encoding"] === "gzip", `the font data gzipped: ${font.status} ${font.headers["content-encoding"]}`);
  const fontPlain = await direct("/client.data");
  assert(gunzipSync(font.body).equals(fontPlain), "the gzipped font is the file");
  assert(font.body.length < fontPlain.length * 0.8, `gzip makes it smaller: ${font.body.length} of ${fontPlain.length}`);
  const wasm = await request(proxy, { path: "/client.wasm", headers: { "Accept-Encoding": "gzip" } });
  assert(wasm.headers["content-encoding"] === "gzip" && gunzipSync(wasm.body).subarray(0, 4).equals(Buffer.from([0, 0x61, 0x73, 0x6d])),
         "client.wasm compressed once (the server's own .gz), not twice");
  const many = await request(proxy, { path: "/client.data", headers: { Range: "bytes=0-,0-,0-,0-,0-,0-,0-,0-" } });
  assert(many.status === 200 && many.body.length === fontPlain.length, `several ranges get the file once: ${many.status}, ${many.body.length} bytes`);
  const one = await request(proxy, { path: "/client.data", headers: { Range: "bytes=10-109" } });
  assert(one.status === 206 && one.body.equals(fontPlain.subarray(10, 110)), `one range is served: ${one.status}, ${one.body.length} bytes`);

  step("a client sending its headers a byte at a time is dropped; everyone else is served meanwhile");
  const slow = tls.connect({ host: "127.0.0.1", port: proxy.httpsPort, ca: proxy.pem });
  let slowClosed = false;
  slow.on("close", () => { slowClosed = true; });
  slow.on("error", () => {});
  const request_line = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  let sent = 0;
  const drip = setInterval(() => { if (!slowClosed) slow.write(request_line[sent++ % request_line.length]); }, 500);
  defer(() => { clearInterval(drip); slow.destroy(); });
  const during = await request(proxy, { path: "/api/v1/health" });
  assert(during.status === 200, `served while a slow client drips: ${during.status}`);
  await until("the proxy to drop the slow client", () => slowClosed, 60000);
  clearInterval(drip);

  step("the app through the proxy: sign up, a contact, a live edit reaching a second browser");
  const browser = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${certificate.spki}`] });
  defer(() => browser.close());
  await browserPart(browser, origin).catch(async (e) => {
    for (const [i, c] of browser.contexts().entries()) await screenshot(c.pages()[0], `deploy-nginx-failure-${i}`);
    throw e;
  });
  step("the 55 s long-poll came back from the server through the proxy");
  const held = await longWait;
  assert(held.status === 200 && json(held).latest === firstPull.latest,
         `the long-poll's own answer after ${held.seconds} s: ${held.status} ${held.body}`);
  assert(held.seconds > 50, `it was held for its whole timeout, not answered early: ${held.seconds} s`);

  step("sign-in bursts from one address are limited at the proxy");
  // Sign-ins with no password: the server refuses them at once, so only the proxy's limit counts.
  const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => request(proxy, {
    path: "/api/v1/auth/login", method: "POST", headers: { "Content-Type": "application/json" },
    body: Buffer.from(JSON.stringify({ email: `nobody${i}@example.com`, password: "" })) })));
  const limited = burst.find((r) => r.status === 429);
  assert(burst.filter((r) => r.status === 400).length >= 10, `the first of the burst reach the server: ${burst.map((r) => r.status)}`);
  assert(limited && json(limited).code === "rate_limited" && limited.headers["retry-after"],
         `a burst of sign-ins gets 429 rate_limited with Retry-After: ${limited && limited.body}`);

  step("with the server down the proxy answers 503 in JSON");
  await server.stop();
  const down = await request(proxy, { path: "/api/v1/health" });
  assert(down.status === 503 && json(down).code === "unavailable" && down.headers["retry-after"], `server down: ${down.status} ${down.body}`);
  const log = readFileSync(join(dir, "access.log"), "utf8");
  assert(log.includes("/api/v1/wait"), "the access log shows the long-polls");
});
