import { version as typescriptVersion } from '@tslab/typescript-for-tslab';
import type { CommManager } from './comms';
import type { MagicHandler } from './execute';
import { History, HistoryRequest } from './history';
import { isComplete, TypeScriptExecutor } from './typescript-executor';
import { JsonObject, PROTOCOL_VERSION } from './wire';

/** What the request handlers read from the kernel. */
export interface RequestServices {
  implementationVersion: string;
  history: History;
  comms: CommManager;
  /** The TypeScript executor (created on first use). */
  executor(): TypeScriptExecutor;
  /** The `%seed` magics, once registered. */
  magics(): MagicHandler | undefined;
}

/** complete_request, inspect_request, is_complete_request. */
interface CodeRequest {
  code: string;
  cursor_pos?: number;
}

function codeRequest(content: JsonObject): CodeRequest {
  const { code, cursor_pos: cursor } = content as Partial<CodeRequest>;
  return { code: typeof code === 'string' ? code : '', cursor_pos: typeof cursor === 'number' ? cursor : undefined };
}

/**
 * The replies that only read the kernel's state: kernel_info, complete, inspect, is_complete,
 * history and comm_info. Each takes a request's content and returns its reply's content.
 */
export class RequestHandlers {
  constructor(private readonly services: RequestServices) {}

  kernelInfo(): JsonObject {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'seed',
      implementation_version: this.services.implementationVersion,
      language_info: {
        name: 'typescript',
        version: typescriptVersion,
        mimetype: 'text/typescript',
        file_extension: '.ts',
        // JupyterLab picks its TypeScript editor mode from `name`; the classic notebook needs this.
        codemirror_mode: { name: 'javascript', typescript: true }
      },
      banner:
        'SEED (TypeScript): TypeScript cells on Node ' +
        process.version +
        ', with the SEED image tokenizer as `seed` and `%seed` magics (try `%seed help`).',
      help_links: [
        { text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/' },
        { text: 'Node.js API', url: 'https://nodejs.org/docs/latest-v20.x/api/' },
        { text: 'SEED tokenizer paper', url: 'https://arxiv.org/abs/2307.08041' }
      ],
      // The optional features of messaging spec 5.5 are 'debugger' and 'kernel subshells';
      // this kernel has neither, so a frontend must not offer them.
      supported_features: [],
      // Deprecated by supported_features, still read by frontends older than spec 5.5.
      debugger: false
    };
  }

  complete(content: JsonObject): JsonObject {
    const request = codeRequest(content);
    const cursor = request.cursor_pos ?? request.code.length;
    const magics = this.services.magics();
    const result = magics?.handles(request.code)
      ? magics.complete(request.code, cursor)
      : this.services.executor().complete(request.code, cursor);
    return { status: 'ok', matches: result.matches, cursor_start: result.start, cursor_end: result.end, metadata: {} };
  }

  inspect(content: JsonObject): JsonObject {
    const request = codeRequest(content);
    const text = this.services.magics()?.handles(request.code)
      ? undefined
      : this.services.executor().inspect(request.code, request.cursor_pos ?? request.code.length);
    return text
      ? { status: 'ok', found: true, data: { 'text/plain': text }, metadata: {} }
      : { status: 'ok', found: false, data: {}, metadata: {} };
  }

  isComplete(content: JsonObject): JsonObject {
    const request = codeRequest(content);
    if (this.services.magics()?.handles(request.code)) {
      return { status: 'complete' };
    }
    return isComplete(request.code);
  }

  history(content: JsonObject): JsonObject {
    return { status: 'ok', history: this.services.history.query(content as unknown as HistoryRequest) };
  }

  commInfo(content: JsonObject): JsonObject {
    const target = typeof content.target_name === 'string' ? content.target_name : undefined;
    return { status: 'ok', comms: this.services.comms.info(target) };
  }
}
