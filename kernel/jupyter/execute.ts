import type { ReplyChannel } from './channels';
import { describeError } from './error-content';
import { History } from './history';
import type { DisplayOptions, KernelOutput } from './kernel-output';
import { MimeBundle, mimeBundleOf } from './mime-bundle';
import type { ShellQueue } from './shell-queue';
import { CellOutcome, TypeScriptExecutor } from './typescript-executor';
import { JsonObject, JupyterMessage } from './wire';

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

/** What a cell (or a magic) can do while it runs. */
export interface CellContext {
  /** The execute_request (or comm message) being handled. */
  message: JupyterMessage;
  /** Aborts when the user interrupts the kernel; pass it to long operations. */
  signal: AbortSignal;
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  /** Makes `name` a TypeScript variable of type `typeText` in the following cells. */
  bind(name: string, value: unknown, typeText: string): Promise<void>;
  /** The value of a top-level variable of earlier cells (undefined if there is none). */
  variable(name: string): unknown;
}

/** Cells the TypeScript compiler should not see (the `%seed` magics). */
export interface MagicHandler {
  handles(code: string): boolean;
  run(code: string, context: CellContext): Promise<CellOutcome>;
  /** Completions (command names, flags) for the word before the cursor. */
  complete(code: string, cursor: number): { start: number; end: number; matches: string[] };
}

/** What execution needs from the kernel around it. */
export interface ExecutionServices {
  output: KernelOutput;
  queue: ShellQueue;
  history: History;
  /** The TypeScript executor (created on first use). */
  executor(): TypeScriptExecutor;
  /** The `%seed` magics, once registered. */
  magics(): MagicHandler | undefined;
}

/**
 * execute_request: execution counts and history, execute_input / execute_result / error on
 * iopub, user expressions, stop_on_error, and input requests on stdin while a cell runs.
 */
export class Execution {
  private executionCount = 0;
  private readonly pendingInput = new Map<string, (value: string) => void>();

  constructor(private readonly services: ExecutionServices) {}

  async execute(channel: ReplyChannel, message: JupyterMessage): Promise<void> {
    const { output, queue, history } = this.services;
    if (queue.isAborted(message)) {
      output.reply(channel, message, 'execute_reply', { status: 'aborted', execution_count: this.executionCount });
      return;
    }
    const request = message.content as unknown as ExecuteRequest;
    const code = typeof request.code === 'string' ? request.code : '';
    const silent = request.silent === true;
    const storeHistory = !silent && request.store_history !== false;
    if (storeHistory) {
      this.executionCount += 1;
      history.add(this.executionCount, code);
    }
    const count = this.executionCount;
    output.parent = message;
    let reply: JsonObject;
    try {
      // The task starts before execute_input goes out, so an interrupt that follows it is never lost.
      const outcome = await queue.runTask(message, async (signal) => {
        if (!silent) {
          output.publish('execute_input', { code, execution_count: count }, message);
        }
        // A synchronous cell blocks this thread; "busy" and execute_input must be out before it starts.
        await output.flush();
        return this.runCell(code, message, signal);
      });
      if (outcome.hasValue && !silent) {
        const data = mimeBundleOf(outcome.value);
        output.publish('execute_result', { execution_count: count, data, metadata: {} }, message);
        if (storeHistory && typeof data['text/plain'] === 'string') {
          history.setOutput(count, data['text/plain']);
        }
      }
      reply = {
        status: 'ok',
        execution_count: count,
        payload: [],
        user_expressions: await this.userExpressions(request.user_expressions)
      };
    } catch (error) {
      const described = describeError(error);
      if (!silent) {
        output.publish('error', described, message);
      }
      reply = { status: 'error', execution_count: count, ...described };
      if (request.stop_on_error !== false) {
        await queue.abortQueuedExecutes();
      }
    }
    output.reply(channel, message, 'execute_reply', reply);
  }

  private cellContext(message: JupyterMessage, signal: AbortSignal): CellContext {
    const { output, executor } = this.services;
    return {
      message,
      signal,
      display: (bundle, options = {}) => output.display(bundle, options, message),
      bind: (name, value, typeText) => executor().bind(name, value, typeText),
      variable: (name) => executor().locals[name]
    };
  }

  private runCell(code: string, message: JupyterMessage, signal: AbortSignal): Promise<CellOutcome> {
    const magics = this.services.magics();
    if (magics?.handles(code)) {
      return magics.run(code, this.cellContext(message, signal));
    }
    return this.services.executor().run(code, signal);
  }

  private async userExpressions(expressions: Record<string, string> | undefined): Promise<JsonObject> {
    const results: JsonObject = {};
    for (const [name, expression] of Object.entries(expressions ?? {})) {
      try {
        const outcome = await this.services.executor().run(expression, new AbortController().signal);
        results[name] = {
          status: 'ok',
          data: mimeBundleOf(outcome.hasValue ? outcome.value : undefined),
          metadata: {}
        };
      } catch (error) {
        results[name] = { status: 'error', ...describeError(error) };
      }
    }
    return results;
  }

  /**
   * Asks the frontend for a line of text (input_request on stdin). Only for execute requests
   * that allow stdin; the frontend answers on the same identity it sent the request from.
   */
  requestInput(prompt: string, password = false): Promise<string> {
    const { queue, output } = this.services;
    const parent = queue.runningMessage;
    const signal = queue.currentSignal;
    if (!parent || !signal || parent.header.msg_type !== 'execute_request') {
      return Promise.reject(new Error('input() can only be used while a cell runs.'));
    }
    if ((parent.content as unknown as ExecuteRequest).allow_stdin === false) {
      return Promise.reject(new Error('This frontend does not accept input requests (allow_stdin is false).'));
    }
    return new Promise<string>((resolve, reject) => {
      this.pendingInput.set(parent.header.msg_id, resolve);
      signal.addEventListener('abort', () => {
        this.pendingInput.delete(parent.header.msg_id);
        reject(signal.reason);
      });
      output.reply('stdin', parent, 'input_request', { prompt, password });
    });
  }

  /** An input_reply from the frontend answers the input request it names (or the oldest one). */
  onInputReply(message: JupyterMessage): void {
    const parentId = (message.parent_header as { msg_id?: string }).msg_id ?? '';
    const resolve = this.pendingInput.get(parentId) ?? [...this.pendingInput.values()][0];
    if (resolve) {
      this.pendingInput.delete(parentId);
      resolve(String((message.content as { value?: unknown }).value ?? ''));
    }
  }
}
