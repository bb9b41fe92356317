import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { snippetLoader } from "../support/config-text.ts";

const loader = snippetLoader("config-sandbox-", "/home/u");
const { root, load } = loader;
afterAll(() => loader.remove());

describe("sandbox keys of shell tools and stdio MCP servers", () => {
  test("every key loads; writable and deny_read become absolute (~ and relative to the file)", async () => {
    const { config, issues } = await load(`
[tools.sh]
kind = "shell"
sandbox = "workspace-write"
writable = ["build", "~/cache"]
deny_read = ["secrets/key.pem"]
network = "allow"
network_allow = ["api.github.com", "*.example.com:8443", "[::1]:8080", "bücher.example."]
network_allow_private = ["localhost", "10.0.0.0/8"]

[mcp.fs]
command = "fs-server"
sandbox = "read-only"
deny_read = ["~/notes"]
network = "none"
`);
    expect(issues).toEqual([]);
    const tool = config?.tools?.["sh"];
    expect(tool?.kind === "shell" && tool.writable).toEqual([join(root, "build"), "/home/u/cache"]);
    expect(tool?.kind === "shell" && tool.deny_read).toEqual([join(root, "secrets/key.pem")]);
    expect(config?.mcp?.["fs"]?.deny_read).toEqual(["/home/u/notes"]);
  });

  test("bad values and combinations that promise a protection they do not give are errors", async () => {
    const { issues } = await load(`
[tools.a]
kind = "shell"
sandbox = "jail"

[tools.b]
kind = "shell"
writable = ["out"]
network = "none"

[tools.c]
kind = "shell"
sandbox = "read-only"
writable = ["out"]
network_allow = ["api.github.com"]

[tools.d]
kind = "shell"
sandbox = "workspace-write"
network = "allow"
network_allow = ["https://api.github.com/", "*.*.example.com"]
network_allow_private = ["10.0.0.0/33"]
deny_read = ["/"]

[tools.e]
kind = "shell"
sandbox = "read-only"
network = "allow"
network_allow_private = ["localhost"]

[mcp.remote]
url = "https://mcp.example.com/mcp"
sandbox = "read-only"
`);
    const at = (path: string) => issues.filter((issue) => issue.path === path).map((issue) => issue.message);
    expect(issues.find((issue) => issue.path === "tools.a.sandbox")?.expected).toBe(
      'one of "off", "read-only", "workspace-write"',
    );
    expect(at("tools.b.writable")).toEqual(["writable has no effect without a sandbox"]);
    expect(at("tools.b.network")).toEqual(["network has no effect without a sandbox"]);
    expect(at("tools.c.writable")).toEqual(["a read-only sandbox has no writable paths"]);
    expect(at("tools.c.network_allow")).toEqual(['network_allow has no effect unless network = "allow"']);
    expect(at("tools.d.network_allow[0]")).toEqual([
      '"https://api.github.com/" is not a valid network_allow entry: give a host name, not a URL',
    ]);
    expect(at("tools.d.network_allow[1]")).toEqual([
      '"*.*.example.com" is not a valid network_allow entry: `*` is only allowed as a whole first label, as in *.example.com',
    ]);
    expect(at("tools.d.network_allow_private[0]")).toEqual([
      '"10.0.0.0/33" is not a host, an IP address or a CIDR block',
    ]);
    expect(at("tools.e.network_allow_private")).toEqual([
      "network_allow_private has no effect without a network_allow list",
    ]);
    expect(at("tools.d.deny_read[0]")).toEqual(["deny_read cannot hide the whole file system"]);
    expect(at("mcp.remote.sandbox")[0]).toContain("applies only to stdio servers");
    for (const issue of issues) expect(issue.line).toBeGreaterThan(0);
  });

  test("a writable root that overlaps /proc, /sys, /dev or /run is an error: the sandbox would show the host's, writable", async () => {
    const { issues } = await load(`
[tools.a]
kind = "shell"
sandbox = "workspace-write"
writable = ["/proc", "/proc/sys/kernel", "/sys/fs/cgroup", "/var/run/user/1000", "/", "/var", "out"]

[tools.b]
kind = "shell"
sandbox = "workspace-write"
cwd = "/dev/shm"

[tools.c]
kind = "shell"
sandbox = "read-only"
cwd = "/proc"

[mcp.m]
command = "server"
sandbox = "workspace-write"
cwd = "/run"
`);
    const at = (path: string) => issues.filter((issue) => issue.path === path).map((issue) => issue.message);
    const overlap = (dir: string) =>
      `a writable path cannot overlap ${dir}: the sandbox would show the host's ${dir}, writable`;
    expect(at("tools.a.writable[0]")).toEqual([overlap("/proc")]);
    expect(at("tools.a.writable[1]")).toEqual([overlap("/proc")]);
    expect(at("tools.a.writable[2]")).toEqual([overlap("/sys")]);
    expect(at("tools.a.writable[3]")).toEqual([overlap("/var/run")]);
    expect(at("tools.a.writable[4]")).toEqual([overlap("/proc")]);
    expect(at("tools.a.writable[5]")).toEqual([overlap("/var/run")]);
    expect(at("tools.a.writable[6]")).toEqual([]);
    expect(at("tools.b.cwd")).toEqual([overlap("/dev")]);
    expect(at("tools.c.cwd")).toEqual([]);
    expect(at("mcp.m.cwd")).toEqual([overlap("/run")]);
  });
});
