import { ExitCode, type ExitCodeValue } from "../../spec/exit-codes.ts";
import { buildInfo } from "../build-info.ts";
import { writeAnswer } from "../output.ts";

/** `agentry version`: version, commit, build date and target. */
export default async function versionCommand(): Promise<ExitCodeValue> {
  writeAnswer(
    `agentry ${buildInfo.version}\ncommit: ${buildInfo.commit}\nbuilt:  ${buildInfo.date}\ntarget: ${buildInfo.target}\n`,
  );
  return ExitCode.ok;
}
