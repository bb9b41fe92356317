export { luhnValid } from "./detectors/card.ts";
export { ibanValid } from "./detectors/iban.ts";
export { ENTROPY_THRESHOLD, shannonEntropy } from "./detectors/secret-assignment.ts";
export type { Detection, Detector } from "./detectors/types.ts";
export { RedactPatternError } from "./errors.ts";
export { PLACEHOLDER } from "./placeholders.ts";
export { createRedactor, type Redactor, type RedactorOptions } from "./redactor.ts";
