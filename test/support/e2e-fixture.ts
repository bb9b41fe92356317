import { afterEach } from "bun:test";
import { type MockProvider, type MockProviderOptions, startMockProvider } from "../../src/testing/index.ts";
import { type BinaryOptions, type BinaryResult, runBinary } from "./binary.ts";
import { makeWorkspace, type Workspace } from "./workspace.ts";

/** How `E2eFixture.agentry` runs the binary beyond the workspace's config and state dir. */
export interface AgentryRunOptions {
  /** Extra environment, merged over `AGENTRY_STATE_DIR`. */
  env?: Record<string, string | undefined>;
  stdin?: string;
  /** Harness timeout (default 30 s: the machine is loaded, this is no timing assertion). */
  timeoutMs?: number;
}

/**
 * The mock models and the workspace of one end-to-end test, closed and removed after each test.
 * `e2eFixture()` registers that `afterEach` in the calling test file, so call it at its top level.
 */
export interface E2eFixture {
  /** Starts a mock model for this test (every one started is closed after it). */
  mock(
    turns: MockProviderOptions["turns"],
    options?: Omit<MockProviderOptions, "turns">,
  ): Promise<MockProvider>;
  /** The mock model started last; throws when none was. */
  readonly provider: MockProvider;
  /** Creates this test's workspace with `config` as its `agentry.toml`. */
  workspace(config: string): Workspace;
  /** This test's workspace; throws when none was created. */
  readonly ws: Workspace;
  /** Runs `agentry ARGS -c CONFIG` in the workspace, with its state dir as `AGENTRY_STATE_DIR`. */
  agentry(args: string[], options?: AgentryRunOptions): Promise<BinaryResult>;
  /** Runs `cleanup` after this test, before the mocks close (e.g. to kill a process it left). */
  afterThis(cleanup: () => unknown): void;
}

/** The fixture of a test file; see `E2eFixture`. */
export function e2eFixture(): E2eFixture {
  let mocks: MockProvider[] = [];
  let current: Workspace | undefined;
  let cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    const pending = cleanups;
    cleanups = [];
    for (const cleanup of pending) await cleanup();
    const started = mocks;
    mocks = [];
    await Promise.all(started.map((mock) => mock.close()));
    current?.remove();
    current = undefined;
  });
  const fixture: E2eFixture = {
    async mock(turns, options = {}) {
      const mock = await startMockProvider({ ...options, turns });
      mocks.push(mock);
      return mock;
    },
    get provider() {
      const mock = mocks.at(-1);
      if (!mock) throw new Error("no mock model started in this test");
      return mock;
    },
    workspace(config) {
      current?.remove();
      current = makeWorkspace(config);
      return current;
    },
    get ws() {
      if (!current) throw new Error("no workspace created in this test");
      return current;
    },
    agentry(args, options = {}) {
      const ws = fixture.ws;
      const run: BinaryOptions = {
        cwd: ws.dir,
        env: { AGENTRY_STATE_DIR: ws.stateDir, ...options.env },
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      };
      return runBinary([...args, "-c", ws.configPath], run);
    },
    afterThis(cleanup) {
      cleanups.push(cleanup);
    },
  };
  return fixture;
}
