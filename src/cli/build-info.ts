declare const AGENTRY_VERSION: string | undefined;
declare const AGENTRY_COMMIT: string | undefined;
declare const AGENTRY_BUILD_DATE: string | undefined;
declare const AGENTRY_TARGET: string | undefined;

/** Version facts defined at build time by `scripts/build.ts`; "dev" values when run from source. */
export const buildInfo = {
  version: typeof AGENTRY_VERSION === "string" ? AGENTRY_VERSION : "0.0.0-dev",
  commit: typeof AGENTRY_COMMIT === "string" ? AGENTRY_COMMIT : "unknown",
  date: typeof AGENTRY_BUILD_DATE === "string" ? AGENTRY_BUILD_DATE : "unknown",
  target: typeof AGENTRY_TARGET === "string" ? AGENTRY_TARGET : `${process.platform}-${process.arch}`,
};
