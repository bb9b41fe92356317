import { afterEach, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { makeWorkspace, type Workspace } from "../support/workspace.ts";

const TOKEN = "tls-test-token-0123456789abcdefABCDEFGHIJ";
let ws: Workspace | undefined;
let server: ServerProcess | undefined;

afterEach(async () => {
  await server?.stop("SIGKILL");
  server = undefined;
  ws?.remove();
});

function workspace(): Workspace {
  ws = makeWorkspace(
    '[defaults]\nagent = "ops"\nmodel = "none/m"\n[providers.none]\nkind = "openai-compatible"\nbase_url = "http://127.0.0.1:9"\n[agents.ops]\n',
  );
  return ws;
}

function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
    ],
    { stdio: "ignore" },
  );
  return { cert, key };
}

test("--tls-cert/--tls-key serve HTTPS, also on a non-loopback bind; the API still needs the token", async () => {
  const dir = workspace();
  const { cert, key } = selfSignedCert(dir.dir);
  server = await startServerProcess(
    ["--listen", "0.0.0.0:0", "--tls-cert", cert, "--tls-key", key, "-c", dir.configPath],
    {
      cwd: dir.dir,
      env: { AGENTRY_STATE_DIR: dir.stateDir, AGENTRY_SERVER_TOKEN: TOKEN },
    },
  );
  expect(server.url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
  const port = new URL(server.url).port;
  const tls = { rejectUnauthorized: false };
  const health = await fetch(`https://127.0.0.1:${port}/healthz`, { tls } as RequestInit);
  expect(health.status).toBe(200);
  expect((await fetch(`https://127.0.0.1:${port}/v1/agents`, { tls } as RequestInit)).status).toBe(401);
  const agents = await fetch(`https://127.0.0.1:${port}/v1/agents`, {
    tls,
    headers: { Authorization: `Bearer ${TOKEN}` },
  } as RequestInit);
  expect(agents.status).toBe(200);
});

test("--behind-proxy allows a non-loopback bind without TLS; the proxy's origin is allowed with --allow-origin", async () => {
  const dir = workspace();
  server = await startServerProcess(
    [
      "--listen",
      "0.0.0.0:0",
      "--behind-proxy",
      "--allow-origin",
      "https://ops.example.com",
      "-c",
      dir.configPath,
    ],
    {
      cwd: dir.dir,
      env: { AGENTRY_STATE_DIR: dir.stateDir, AGENTRY_SERVER_TOKEN: TOKEN },
    },
  );
  const port = new URL(server.url).port;
  const headers = (origin: string) => ({ Authorization: `Bearer ${TOKEN}`, Origin: origin });
  const allowed = await fetch(`http://127.0.0.1:${port}/v1/agents`, {
    headers: headers("https://ops.example.com"),
  });
  expect(allowed.status).toBe(200);
  expect(allowed.headers.get("access-control-allow-origin")).toBe("https://ops.example.com");
  expect(allowed.headers.get("vary")).toBe("Origin");
  expect(
    (await fetch(`http://127.0.0.1:${port}/v1/agents`, { headers: headers("https://other.example.com") }))
      .status,
  ).toBe(403);
});
