import { type ChildProcess, spawn } from "node:child_process";
import type { JSONRPCMessage, Transport } from "@modelcontextprotocol/client";
import { killProcessTree, signalGroup } from "../process/process-group.ts";
import type { NetworkReporter } from "../sandbox/network/network-report.ts";
import { MAX_MCP_MESSAGE } from "./bounded-fetch.ts";

/** How to start a stdio server: the program, its arguments, the whole environment it gets, its directory. */
export interface StdioLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  /** Time between SIGTERM and SIGKILL of the server's process group on close. */
  graceMs?: number;
  /** Called once when the transport ends (a sandbox's network proxy is stopped). */
  release?(): Promise<void>;
  /** With `network_allow`: the server's proxy, reported call by call (`McpConnection.takeNetworkReport`). */
  network?: NetworkReporter;
}

const MAX_STDERR_TAIL = 4096;
const MAX_LINE = MAX_MCP_MESSAGE;
const IS_WINDOWS = process.platform === "win32";

/**
 * The MCP stdio transport (newline-delimited JSON-RPC on stdin/stdout) over a server that leads
 * its own process group, started with exactly the environment given (nothing inherited). Closing
 * it ends stdin, sends SIGTERM to the group, then SIGKILL to whatever is left after the grace
 * period, so neither the server nor anything it spawned outlives the run. The last 4 KiB of the
 * server's stderr are kept for error messages.
 */
export class GroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private child: ChildProcess | undefined;
  private buffer = "";
  private stderr = "";
  private closed = false;
  private released: Promise<void> = Promise.resolve();
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly launch: StdioLaunch) {}

  /** The server's process id (and process group id), once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The end of what the server wrote to stderr, for explaining a failed start. */
  get stderrTail(): string {
    return this.stderr.trim();
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.launch.command, this.launch.args, {
        env: this.launch.env,
        ...(this.launch.cwd ? { cwd: this.launch.cwd } : {}),
        stdio: ["pipe", "pipe", "pipe"],
        detached: !IS_WINDOWS,
        windowsHide: true,
      });
      this.child = child;
      this.exited = new Promise((done) => child.once("exit", () => done()));
      child.once("error", (error) => {
        reject(error);
        this.onerror?.(error);
        this.finish();
      });
      child.once("spawn", () => resolve());
      child.once("close", () => this.finish());
      child.stdin?.on("error", (error) => this.onerror?.(error));
      child.stdout?.setEncoding("utf8");
      child.stdout?.on("data", (chunk: string) => this.read(chunk));
      child.stderr?.setEncoding("utf8");
      child.stderr?.on("data", (chunk: string) => {
        this.stderr = (this.stderr + chunk).slice(-MAX_STDERR_TAIL);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed) return Promise.reject(new Error("the MCP server process is not running"));
    return new Promise((resolve, reject) => {
      stdin.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  /**
   * Ends stdin, then kills the server's whole process group (SIGTERM, SIGKILL after the grace
   * period) and resolves only once no member of the group is running — the leader exiting early
   * does not count, so a server's own children are gone too when the run ends. Then waits for
   * the launch's release (a sandbox's network proxy stopped and its socket removed).
   */
  async close(): Promise<void> {
    const child = this.child;
    if (!child?.pid) {
      this.finish();
      return this.released;
    }
    child.stdin?.end();
    if (IS_WINDOWS) {
      signalGroup(child.pid, "SIGKILL");
      await Promise.race([this.exited, new Promise<void>((done) => setTimeout(done, 1000).unref())]);
    } else {
      await killProcessTree(child.pid, this.launch.graceMs ?? 1000);
    }
    this.finish();
    await this.released;
  }

  /** Kills the process group at once, synchronously: for process exit, when nothing can be awaited. */
  killNow(): void {
    if (this.child?.pid) signalGroup(this.child.pid, "SIGKILL");
  }

  private read(chunk: string): void {
    this.buffer += chunk;
    if (this.buffer.length > MAX_LINE) {
      this.onerror?.(new Error("the MCP server sent a message over 16 MiB"));
      this.buffer = "";
      void this.close();
      return;
    }
    let newline = this.buffer.indexOf("\n");
    while (newline !== -1) {
      const line = this.buffer.slice(0, newline).replace(/\r$/, "");
      this.buffer = this.buffer.slice(newline + 1);
      if (line.trim()) this.deliver(line);
      newline = this.buffer.indexOf("\n");
    }
  }

  private deliver(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = JSON.parse(line) as JSONRPCMessage;
    } catch {
      this.onerror?.(new Error(`the MCP server wrote a line that is not JSON: ${line.slice(0, 120)}`));
      return;
    }
    this.onmessage?.(message);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.released = this.launch.release?.().catch(() => {}) ?? Promise.resolve();
    this.onclose?.();
  }
}
