import { ProviderError } from "../../spec/errors.ts";
import type { ModelEvent, ModelRequest, Provider } from "../../spec/model.ts";
import { abortedError } from "../http/attempt.ts";
import { asModelEvent, type Cassette, summarizeMessage, turnNumber } from "./cassette.ts";
import { matchTurn } from "./divergence.ts";

async function* replayStream(
  id: string,
  cassette: Cassette,
  request: ModelRequest,
): AsyncGenerator<ModelEvent> {
  if (request.signal?.aborted) {
    yield { type: "error", error: abortedError(id) };
    return;
  }
  const match = matchTurn(cassette.turns, request.messages.map(summarizeMessage), turnNumber(request));
  if ("divergence" in match) {
    yield {
      type: "error",
      error: new ProviderError(`${match.divergence} — cassette ${cassette.file}`, {
        provider: id,
        kind: "replay_divergence",
        retryable: false,
        data: { cassette: cassette.file, turn: turnNumber(request) },
      }),
    };
    return;
  }
  for (const event of match.turn.events) {
    if (request.signal?.aborted) {
      yield { type: "error", error: abortedError(id) };
      return;
    }
    yield asModelEvent(event);
  }
}

/**
 * The `replay` provider: answers each request with the recorded turn whose conversation
 * matches, emitting exactly the recorded events; a request the cassette cannot answer is an
 * `error` event of kind `replay_divergence` naming the turn and what differed. Makes no
 * network request.
 */
export function createReplayProvider(id: string, cassette: Cassette): Provider {
  return { id, kind: "replay", stream: (request) => replayStream(id, cassette, request) };
}
