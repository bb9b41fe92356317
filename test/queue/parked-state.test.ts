import { describe, expect, test } from "bun:test";
import type { ParkedJob } from "../../src/queue/job-store.ts";
import { parkedStateCodec } from "../../src/queue/parked-state.ts";
import { UsageError } from "../../src/spec/errors.ts";

const SECRET = "k3Vq9XbN1sLr7TzY0aPw4HcD8eFgJ2mU";
const STATE = { messages: [{ role: "user", content: "raw prompt with sk-live-1234" }] };

const RUN = { agent: "w", request: { prompt: "[redacted]", budget: { usd: 0.5 } } };
const PENDING = [{ approval_id: "r1-a", agent: "w", tool: "sh", arguments: '{"command":"ls"}' }];
const IDS = { job_id: "ja", run_id: "r1", run: RUN, pending: PENDING };

function parked(
  fields: Pick<ParkedJob, "state" | "state_sealed">,
  jobId = "ja",
  runId = "r1",
  readable: Pick<ParkedJob, "run" | "pending"> = { run: RUN, pending: PENDING },
): ParkedJob {
  return {
    job_id: jobId,
    parked_at: "2026-01-01T00:00:00.000Z",
    worker: "h:1",
    run_id: runId,
    ...readable,
    line: {
      id: "a",
      run_id: runId,
      status: "awaiting_approval",
      answer: "",
      stop_reason: "awaiting_approval",
      usage: null,
      refused_calls: 0,
    },
    ...fields,
  };
}

describe("a parked run's raw state in Redis ([queue] state_secret)", () => {
  const sealing = parkedStateCodec({ state_secret: `\${S}` }, { S: SECRET });
  const plain = parkedStateCodec(undefined, {});

  test("sealed under the secret: no plain text stored; opened with the same secret, bound to its job and run", () => {
    const stored = sealing.store(IDS, STATE);
    expect(stored.state).toBeUndefined();
    expect(stored.state_sealed).not.toContain("sk-live");
    expect(sealing.open(parked(stored))).toEqual(STATE);
    expect(() => sealing.open(parked(stored, "jb"))).toThrow(
      "sealed under another [queue] state_secret, or altered",
    );
    expect(() => sealing.open(parked(stored, "ja", "r2"))).toThrow("or altered");
    const raised = { ...RUN, request: { ...RUN.request, budget: { usd: 1000 } } };
    expect(() => sealing.open(parked(stored, "ja", "r1", { run: raised, pending: PENDING }))).toThrow(
      "or altered",
    );
    expect(() =>
      sealing.open(parked(stored, "ja", "r1", { run: { ...RUN, agent: "other" }, pending: PENDING })),
    ).toThrow("or altered");
    const shown = [{ ...PENDING[0], arguments: '{"command":"echo harmless"}' }] as typeof PENDING;
    expect(() => sealing.open(parked(stored, "ja", "r1", { run: RUN, pending: shown }))).toThrow(
      "or altered",
    );
    const other = parkedStateCodec({ state_secret: `\${S}` }, { S: SECRET.split("").reverse().join("") });
    expect(() => other.open(parked(stored))).toThrow("sealed under another [queue] state_secret");
    expect(() => plain.open(parked(stored))).toThrow("needs the queue's [queue] state_secret");
  });

  test("without a secret the state is plain; a worker with a secret refuses plain state", () => {
    const stored = plain.store(IDS, STATE);
    expect(stored).toEqual({ state: STATE });
    expect(plain.open(parked(stored))).toEqual(STATE);
    expect(() => sealing.open(parked(stored))).toThrow(
      "not sealed, but this worker has [queue] state_secret",
    );
  });

  test("a short secret is refused (exit 2): it must be random", () => {
    expect(() => parkedStateCodec({ state_secret: "password123" }, {})).toThrow(UsageError);
  });
});
