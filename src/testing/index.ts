/**
 * agentry's test kit: a mock LLM provider speaking the real OpenAI, Anthropic and Gemini wire
 * protocols, for testing agents offline. See docs/PROVIDERS.md.
 */

export { type ManualClock, manualClock } from "./manual-clock.ts";
export { startMockProvider } from "./mock-provider/server.ts";
export type {
  MockFault,
  MockProtocol,
  MockProvider,
  MockProviderOptions,
  MockRequest,
  MockToolCall,
  MockTurn,
  MockUsage,
} from "./mock-provider/types.ts";
