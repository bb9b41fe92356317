import { describe, expect, test } from "bun:test";
import { attemptRunId } from "../../src/queue/job-processor.ts";

describe("attemptRunId", () => {
  test("names the job and attempt, and never ends in .<digits> (the sub-agent run id form the runtime refuses)", () => {
    // Six random hex digits are all decimal about one time in 17: 2000 ids meet that many times.
    const ids = Array.from({ length: 2000 }, () => attemptRunId("jjob-42", 3));
    for (const id of ids) {
      expect(id).toMatch(/^job\.job-42\.3\.[0-9a-f]{6}$/);
      expect(id).not.toMatch(/\.[0-9]+$/);
    }
  });
});
