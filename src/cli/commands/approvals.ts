import type { Command } from "commander";
import { loadConfig } from "../../config/loader.ts";
import { targetsIn } from "../../middleware/approval/targets.ts";
import { decideApproval } from "../../runtime/decide-approval.ts";
import { auditLogPath, openRunAudit } from "../../runtime/run-audit.ts";
import { UsageError } from "../../spec/errors.ts";
import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { type DeferredRun, DeferredRunStore, noPendingApproval } from "../../state/deferred-runs.ts";
import { StateIntegrityError } from "../../state/integrity-error.ts";
import { resolveStateDir } from "../../state/state-dir.ts";
import { findOptionalConfigPath } from "../config-path.ts";
import { currentUser } from "../current-user.ts";
import type { CommonOptions } from "../main.ts";
import { writeAnswer, writeInfo } from "../output.ts";
import { oneLine } from "../render/format.ts";
import { configOfRun, madeWithOtherFile } from "../run-configuration.ts";

interface ApprovalsOptions extends CommonOptions {
  reason?: string;
  by?: string;
  queue?: string;
}

/**
 * `agentry approvals [list|approve|deny] [ID]`: lists pending approvals of deferred runs, or
 * records a decision (who and why, audited in the audit log of the configuration the run was made
 * with, `configOfRun`). Deciding executes nothing; `resume` does.
 */
export default async function approvalsCommand(
  action: string,
  id: string | undefined,
  options: ApprovalsOptions,
  _command: Command,
): Promise<ExitCodeValue> {
  if (options.queue !== undefined)
    return (await import("./approvals-queue.ts")).queueApprovals(action, id, options);
  const configPath = findOptionalConfigPath(options.config);
  const loaded = configPath ? await loadConfig(configPath) : undefined;
  const stateDir = resolveStateDir(loaded?.config.defaults?.state_dir);
  const store = new DeferredRunStore(stateDir);
  switch (action) {
    case "list":
      return list(store);
    case "approve":
    case "deny": {
      if (!id)
        throw new UsageError(`agentry approvals ${action} needs an approval id`, {
          hint: "agentry approvals list",
        });
      const by = options.by ?? currentUser();
      const found = store.lookupApproval(id);
      if (!found) throw noPendingApproval(id);
      const runConfig = await configOfRun(found.run, loaded, options.config !== undefined);
      const path = auditLogPath(runConfig, stateDir);
      if (path !== auditLogPath(loaded?.config, stateDir))
        writeInfo(
          `note: run ${found.run.run_id} was made with ${found.run.config}; its audit log is ${path}`,
        );
      const audit = openRunAudit(runConfig, stateDir);
      const outcome = decideApproval(store, audit, id, {
        decision: action,
        by,
        ...(options.reason ? { reason: options.reason } : {}),
      });
      await audit?.close();
      if (!outcome.ok && outcome.reason === "unknown") throw noPendingApproval(id);
      if (!outcome.ok || outcome.repeated) {
        const decided = outcome.pending.decision;
        throw new UsageError(`approval ${id} was already decided: ${decided?.decision} by ${decided?.by}`);
      }
      const { run } = outcome;
      writeAnswer(
        `${action === "approve" ? "approved" : "denied"} ${id} (run ${run.run_id}); continue with: agentry resume ${run.run_id}${madeWithOtherFile(run, loaded) ? ` -c ${run.config}` : ""}\n`,
      );
      return ExitCode.ok;
    }
    default:
      throw new UsageError(`unknown approvals action "${action}"; use list, approve or deny`);
  }
}

/**
 * The real ip, e-mail and phone values behind the placeholders of a pending call's arguments, as
 * a last column (`\t[PII:ip:3f2a1c] is 10.20.30.40; …`), or nothing: the human deciding sees
 * where the call goes. Other kinds (secrets, keys, card numbers) stay placeholders.
 */
function shownTargets(args: string, known: Readonly<Record<string, string>>): string {
  const targets = targetsIn(args, (placeholder) => known[placeholder]);
  if (!targets) return "";
  return `\t${Object.entries(targets)
    .map(([placeholder, value]) => `${placeholder} is ${value}`)
    .join("; ")}`;
}

/** The sealed placeholder values of a run; none (with a warning) when its sealed state does not open. */
function sealedTargets(store: DeferredRunStore, run: DeferredRun): Readonly<Record<string, string>> {
  try {
    return store.unseal(run).restore ?? {};
  } catch (err) {
    if (!(err instanceof StateIntegrityError)) throw err;
    writeInfo(`warning: ${err.message}`);
    return {};
  }
}

/** Pending approvals, arguments redacted; a run failing its integrity check is named on stderr, not shown. */
function list(store: DeferredRunStore): ExitCodeValue {
  const runs = store
    .list((_runId, error) => writeInfo(`warning: ${error.message}`))
    .filter((run) => run.status === "awaiting_approval");
  if (runs.length === 0) {
    writeInfo("no pending approvals");
    return ExitCode.ok;
  }
  for (const run of runs) {
    const known = sealedTargets(store, run);
    for (const item of run.pending) {
      const state = item.decision ? `${item.decision.decision}d by ${item.decision.by}` : "pending";
      const targets = shownTargets(item.call.arguments, known);
      writeAnswer(
        `${item.approval_id}\t${state}\t${run.agent}\t${item.call.name}\t${oneLine(item.call.arguments)}${targets}\n`,
      );
    }
  }
  return ExitCode.ok;
}
