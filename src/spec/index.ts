export type * from "./approval.ts";
export * from "./errors.ts";
export * from "./events.ts";
export * from "./exit-codes.ts";
export type * from "./middleware.ts";
export type * from "./model.ts";
export type * from "./tool.ts";
