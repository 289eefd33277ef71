import { randomUUID } from 'node:crypto';
import { version as typescriptVersion } from '@tslab/typescript-for-tslab';
import * as path from 'node:path';
import type { KernelChannels, ReplyChannel } from './channels';
import { StreamName, captureProcessStreams } from './cell-output';
import { CommManager } from './comms';
import { History, HistoryRequest } from './history';
import { kernelLog } from './kernel-log';
import { MagicUsageError } from './magics/magic-parser';
import { SeedError } from '../runtime';
import { MimeBundle, mimeBundleOf } from './mime-bundle';
import { CellOutcome, CompileError, InterruptedError, isComplete, TypeScriptExecutor } from './typescript-executor';
import { childMessage, JsonObject, JupyterMessage, PROTOCOL_VERSION } from './wire';

/**
 * The SEED kernel's request handlers: one place that turns Jupyter requests into work and work
 * into replies and iopub messages. Shell requests run one at a time, in the order they arrived
 * (so a widget's comm request that arrives while a cell runs waits behind it); control requests
 * (interrupt, shutdown) are handled as soon as they arrive.
 */

export interface ExecuteRequest {
  code: string;
  silent?: boolean;
  store_history?: boolean;
  user_expressions?: Record<string, string>;
  allow_stdin?: boolean;
  stop_on_error?: boolean;
}

export interface ErrorContent {
  ename: string;
  evalue: string;
  traceback: string[];
}

export interface DisplayOptions {
  /** Names the output so later updates replace it (update_display_data). */
  displayId?: string;
  /** Replace the output named `displayId` instead of adding a new one. */
  update?: boolean;
  metadata?: JsonObject;
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

export interface KernelOptions {
  /** Folder cells resolve imports and relative paths from. */
  rootDir: string;
  implementationVersion: string;
  /** Declarations every cell is type-checked against. */
  prelude?: string;
  /** Values every cell sees as globals. */
  globals?: Record<string, unknown>;
}

interface RunningTask {
  message: JupyterMessage;
  controller: AbortController;
}

const KERNEL_SOURCE_DIR = __dirname + path.sep;
const STREAM_BATCH_CHARACTERS = 64 * 1024;

/** Stack lines of the kernel itself say nothing to the user; keep the cell's own frames. */
function userStack(error: Error): string[] {
  const lines = (error.stack ?? `${error.name}: ${error.message}`).split('\n');
  return lines.filter(
    (line, index) => index === 0 || !(line.includes(KERNEL_SOURCE_DIR) || line.includes('node:internal'))
  );
}

export function describeError(error: unknown): ErrorContent {
  if (error instanceof CompileError) {
    return { ename: error.name, evalue: error.message, traceback: error.lines };
  }
  if (error instanceof InterruptedError || error instanceof SeedError) {
    // The message says what to do; the kernel's stack frames would only hide it.
    return { ename: error.name, evalue: error.message, traceback: [`${error.name}: ${error.message}`] };
  }
  if (error instanceof MagicUsageError) {
    return {
      ename: error.name,
      evalue: error.message,
      traceback: [`${error.name}: ${error.message}`, '', error.usage]
    };
  }
  if (error instanceof Error) {
    return { ename: error.name, evalue: error.message, traceback: userStack(error) };
  }
  return { ename: 'Error', evalue: String(error), traceback: [`Thrown value: ${String(error)}`] };
}

export class SeedKernel {
  readonly session = randomUUID();
  readonly comms: CommManager;
  private typescript?: TypeScriptExecutor;
  private readonly history = new History();
  private channels?: KernelChannels;
  private executionCount = 0;
  private readonly shellQueue: JupyterMessage[] = [];
  private draining = false;
  /** Execute requests that a failed cell (with stop_on_error) aborts instead of running. */
  private readonly aborted = new WeakSet<JupyterMessage>();
  private running?: RunningTask;
  /** Where stream output goes: the last request that ran code. */
  private outputParent?: JupyterMessage;
  private magics?: MagicHandler;
  private readonly pendingInput = new Map<string, (value: string) => void>();
  private shuttingDown = false;
  private pendingStream?: { name: StreamName; text: string; parent: JupyterMessage | undefined };

  constructor(private readonly options: KernelOptions) {
    this.comms = new CommManager((msgType, content, parent, buffers) =>
      this.publish(msgType, content, parent ?? this.outputParent, buffers)
    );
    captureProcessStreams(() => (this.outputParent ? (name, text) => this.stream(name, text) : undefined));
  }

  /**
   * The TypeScript executor, created on first use: building its compiler program takes seconds,
   * and kernel_info must not wait for that (the frontend shows the kernel as starting until then).
   */
  private get executor(): TypeScriptExecutor {
    this.typescript ??= new TypeScriptExecutor({
      rootDir: this.options.rootDir,
      prelude: this.options.prelude,
      globals: this.options.globals,
      tslabModule: () => this.tslabDisplayModule()
    });
    return this.typescript;
  }

  attach(channels: KernelChannels): void {
    this.channels = channels;
    this.publish('status', { execution_state: 'starting' }, undefined);
    // Warm the compiler once the startup requests are answered, unless a cell already did.
    setTimeout(() => {
      if (!this.running && this.shellQueue.length === 0) {
        void this.executor;
      }
    }, 500).unref();
  }

  useMagics(magics: MagicHandler): void {
    this.magics = magics;
  }

  /** The signal of the shell request running now, if any (the `seed` API passes it on). */
  get currentSignal(): AbortSignal | undefined {
    return this.running?.controller.signal;
  }

  /** The request outputs currently belong to. */
  get currentMessage(): JupyterMessage | undefined {
    return this.running?.message ?? this.outputParent;
  }

  // ---- sending -------------------------------------------------------------------------------

  publish(msgType: string, content: unknown, parent: JupyterMessage | undefined, buffers: Buffer[] = []): void {
    if (!this.channels) {
      return;
    }
    // Text printed before this message must reach the notebook before it.
    this.flushStream();
    const message = childMessage(parent, msgType, content, this.session, false);
    message.buffers = buffers;
    void this.channels.send('iopub', message);
  }

  private reply(channel: ReplyChannel, parent: JupyterMessage, msgType: string, content: unknown): void {
    void this.channels?.send(channel, childMessage(parent, msgType, content, this.session));
  }

  /**
   * Cell output is batched into one stream message per event-loop turn (or 64 KB), so a loop of
   * console.log calls does not flood the frontend with thousands of messages.
   */
  private stream(name: StreamName, text: string): void {
    const parent = this.outputParent;
    if (this.pendingStream && (this.pendingStream.name !== name || this.pendingStream.parent !== parent)) {
      this.flushStream();
    }
    if (!this.pendingStream) {
      this.pendingStream = { name, text: '', parent };
      setImmediate(() => this.flushStream());
    }
    this.pendingStream.text += text;
    if (this.pendingStream.text.length >= STREAM_BATCH_CHARACTERS) {
      this.flushStream();
    }
  }

  private flushStream(): void {
    const pending = this.pendingStream;
    if (pending) {
      this.pendingStream = undefined;
      this.publish('stream', { name: pending.name, text: pending.text }, pending.parent);
    }
  }

  /** Clears the outputs of the running cell (at the next output when `wait`). */
  clearOutput(wait = false, parent = this.currentMessage): void {
    this.publish('clear_output', { wait }, parent);
  }

  display(bundle: MimeBundle, options: DisplayOptions = {}, parent = this.currentMessage): void {
    const transient = options.displayId ? { display_id: options.displayId } : {};
    this.publish(
      options.update ? 'update_display_data' : 'display_data',
      { data: bundle, metadata: options.metadata ?? {}, transient },
      parent
    );
  }

  /** tslab's `display` helpers (`import * as tslab from 'tslab'`) write through this kernel. */
  private tslabDisplayModule(): unknown {
    // require, not import: tslab's display reads this module's exports object, which must be
    // assigned itself (an import would give a copy), and only when a cell asks for tslab.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tslabJupyter = require('tslab/dist/jupyter') as {
      lastWriteDisplayData:
        | ((
            data: { data: MimeBundle; metadata: JsonObject; transient: { display_id?: string } },
            update: boolean
          ) => void)
        | null;
    };
    tslabJupyter.lastWriteDisplayData = (data, update) =>
      this.display(data.data, { displayId: data.transient?.display_id, update, metadata: data.metadata });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('tslab');
  }

  // ---- incoming ------------------------------------------------------------------------------

  onShell(message: JupyterMessage): void {
    if (message.header.msg_type === 'comm_msg' && this.isUrgentCommMessage(message)) {
      void this.handleUrgentComm(message);
      return;
    }
    this.shellQueue.push(message);
    void this.drainShell();
  }

  onControl(message: JupyterMessage): void {
    void this.handle('control', message);
  }

  onStdin(message: JupyterMessage): void {
    if (message.header.msg_type !== 'input_reply') {
      kernelLog(`ignored ${message.header.msg_type} on stdin`);
      return;
    }
    const parentId = (message.parent_header as { msg_id?: string }).msg_id ?? '';
    const resolve = this.pendingInput.get(parentId) ?? [...this.pendingInput.values()][0];
    if (resolve) {
      this.pendingInput.delete(parentId);
      resolve(String((message.content as { value?: unknown }).value ?? ''));
    }
  }

  /**
   * Stops what the shell is running: a synchronous cell is broken by the SIGINT itself (vm's
   * breakOnSigint); an awaiting cell, a magic or a comm operation through its AbortSignal.
   */
  interrupt(): void {
    this.running?.controller.abort(new InterruptedError());
  }

  private async drainShell(): Promise<void> {
    if (this.draining) {
      return;
    }
    this.draining = true;
    try {
      for (let message = this.shellQueue.shift(); message; message = this.shellQueue.shift()) {
        await this.handle('shell', message);
      }
    } finally {
      this.draining = false;
    }
  }

  private async handle(channel: 'shell' | 'control', message: JupyterMessage): Promise<void> {
    // A control request while a cell runs must not announce "idle" for the whole kernel.
    const announce = channel === 'shell' || !this.running;
    if (announce) {
      this.publish('status', { execution_state: 'busy' }, message);
    }
    try {
      await this.dispatch(channel, message);
    } catch (error) {
      kernelLog(`${message.header.msg_type} failed: ${(error as Error).stack ?? String(error)}`);
      // The frontend waits for a reply to each request; an error reply ends the wait.
      if (message.header.msg_type.endsWith('_request')) {
        const replyType = message.header.msg_type.replace(/_request$/, '_reply');
        this.reply(channel, message, replyType, { status: 'error', ...describeError(error) });
      }
    } finally {
      if (announce) {
        this.publish('status', { execution_state: 'idle' }, message);
      }
    }
  }

  private async dispatch(channel: 'shell' | 'control', message: JupyterMessage): Promise<void> {
    const type = message.header.msg_type;
    const replyType = type.replace(/_request$/, '_reply');
    switch (type) {
      case 'kernel_info_request':
        this.reply(channel, message, replyType, this.kernelInfo());
        return;
      case 'execute_request':
        if (this.aborted.has(message)) {
          this.reply(channel, message, 'execute_reply', { status: 'aborted', execution_count: this.executionCount });
          return;
        }
        await this.execute(channel, message);
        return;
      case 'complete_request':
        this.reply(channel, message, replyType, this.complete(message.content as { code: string; cursor_pos: number }));
        return;
      case 'inspect_request':
        this.reply(channel, message, replyType, this.inspect(message.content as { code: string; cursor_pos: number }));
        return;
      case 'is_complete_request':
        this.reply(channel, message, replyType, this.isComplete(message.content as { code: string }));
        return;
      case 'history_request':
        this.reply(channel, message, replyType, {
          status: 'ok',
          history: this.history.query(message.content as unknown as HistoryRequest)
        });
        return;
      case 'comm_info_request':
        this.reply(channel, message, replyType, {
          status: 'ok',
          comms: this.comms.info((message.content as { target_name?: string }).target_name)
        });
        return;
      case 'comm_open':
        await this.runTask(message, () => this.comms.handleOpen(message));
        return;
      case 'comm_msg':
        await this.runTask(message, () => this.comms.handleMessage(message));
        return;
      case 'comm_close':
        this.comms.handleClose(message);
        return;
      case 'interrupt_request':
        // The control worker already raised SIGINT, whose handler interrupts (see control-worker.ts).
        this.reply(channel, message, replyType, { status: 'ok' });
        return;
      case 'shutdown_request':
        await this.shutdown(channel, message);
        return;
      default:
        kernelLog(`no handler for ${type} on ${channel}; ignored`);
    }
  }

  // ---- requests ------------------------------------------------------------------------------

  kernelInfo(): JsonObject {
    return {
      status: 'ok',
      protocol_version: PROTOCOL_VERSION,
      implementation: 'seed',
      implementation_version: this.options.implementationVersion,
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
      debugger: false
    };
  }

  /** Runs `work` as the shell's current task, interruptible through its AbortSignal. */
  private async runTask<T>(message: JupyterMessage, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const task: RunningTask = { message, controller: new AbortController() };
    this.running = task;
    try {
      return await work(task.controller.signal);
    } finally {
      this.running = undefined;
    }
  }

  private cellContext(message: JupyterMessage, signal: AbortSignal): CellContext {
    return {
      message,
      signal,
      display: (bundle, options) => this.display(bundle, options, message),
      bind: (name, value, typeText) => this.executor.bind(name, value, typeText),
      variable: (name) => this.executor.locals[name]
    };
  }

  private runCell(code: string, message: JupyterMessage, signal: AbortSignal): Promise<CellOutcome> {
    if (this.magics?.handles(code)) {
      return this.magics.run(code, this.cellContext(message, signal));
    }
    return this.executor.run(code, signal);
  }

  private async execute(channel: 'shell' | 'control', message: JupyterMessage): Promise<void> {
    const request = message.content as unknown as ExecuteRequest;
    const code = typeof request.code === 'string' ? request.code : '';
    const silent = request.silent === true;
    const storeHistory = !silent && request.store_history !== false;
    if (storeHistory) {
      this.executionCount += 1;
      this.history.add(this.executionCount, code);
    }
    const count = this.executionCount;
    this.outputParent = message;
    let reply: JsonObject;
    try {
      // The task starts before execute_input goes out, so an interrupt that follows it is never lost.
      const outcome = await this.runTask(message, async (signal) => {
        if (!silent) {
          this.publish('execute_input', { code, execution_count: count }, message);
        }
        // A synchronous cell blocks this thread; "busy" and execute_input must be out before it starts.
        await this.channels?.flush();
        return this.runCell(code, message, signal);
      });
      if (outcome.hasValue && !silent) {
        const data = mimeBundleOf(outcome.value);
        this.publish('execute_result', { execution_count: count, data, metadata: {} }, message);
        if (storeHistory && typeof data['text/plain'] === 'string') {
          this.history.setOutput(count, data['text/plain']);
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
        this.publish('error', described, message);
      }
      reply = { status: 'error', execution_count: count, ...described };
      if (request.stop_on_error !== false) {
        await this.abortQueuedExecutes();
      }
    }
    this.reply(channel, message, 'execute_reply', reply);
  }

  /** After a failed cell, the cells the user queued behind it are not run (stop_on_error). */
  private async abortQueuedExecutes(): Promise<void> {
    // Let requests already delivered by ZeroMQ reach the queue first.
    await new Promise((resolve) => setImmediate(resolve));
    for (const queued of this.shellQueue) {
      if (queued.header.msg_type === 'execute_request') {
        this.aborted.add(queued);
      }
    }
  }

  private async userExpressions(expressions: Record<string, string> | undefined): Promise<JsonObject> {
    const results: JsonObject = {};
    for (const [name, expression] of Object.entries(expressions ?? {})) {
      try {
        const outcome = await this.executor.run(expression, new AbortController().signal);
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

  private complete(request: { code: string; cursor_pos: number }): JsonObject {
    const cursor = request.cursor_pos ?? request.code.length;
    const result = this.magics?.handles(request.code)
      ? this.magics.complete(request.code, cursor)
      : this.executor.complete(request.code, cursor);
    return { status: 'ok', matches: result.matches, cursor_start: result.start, cursor_end: result.end, metadata: {} };
  }

  private inspect(request: { code: string; cursor_pos: number }): JsonObject {
    const text = this.magics?.handles(request.code)
      ? undefined
      : this.executor.inspect(request.code, request.cursor_pos ?? request.code.length);
    return text
      ? { status: 'ok', found: true, data: { 'text/plain': text }, metadata: {} }
      : { status: 'ok', found: false, data: {}, metadata: {} };
  }

  private isComplete(request: { code: string }): JsonObject {
    if (this.magics?.handles(request.code)) {
      return { status: 'complete' };
    }
    return isComplete(request.code);
  }

  /**
   * Asks the frontend for a line of text (input_request on stdin). Only for execute requests
   * that allow stdin; the frontend answers on the same identity it sent the request from.
   */
  requestInput(prompt: string, password = false): Promise<string> {
    const parent = this.running?.message;
    if (!parent || parent.header.msg_type !== 'execute_request') {
      return Promise.reject(new Error('input() can only be used while a cell runs.'));
    }
    if ((parent.content as unknown as ExecuteRequest).allow_stdin === false) {
      return Promise.reject(new Error('This frontend does not accept input requests (allow_stdin is false).'));
    }
    const signal = this.running!.controller.signal;
    return new Promise<string>((resolve, reject) => {
      this.pendingInput.set(parent.header.msg_id, resolve);
      signal.addEventListener('abort', () => {
        this.pendingInput.delete(parent.header.msg_id);
        reject(signal.reason);
      });
      this.reply('stdin', parent, 'input_request', { prompt, password });
    });
  }

  private isUrgentCommMessage(message: JupyterMessage): boolean {
    const { comm_id: id, data } = message.content as { comm_id?: string; data?: JsonObject };
    const comm = id ? this.comms.get(id) : undefined;
    return comm?.isUrgent(data ?? {}) ?? false;
  }

  /**
   * A comm message that must not wait behind the running task (a widget's "cancel"). It is
   * handled now; status is announced only if nothing else is running.
   */
  private async handleUrgentComm(message: JupyterMessage): Promise<void> {
    const idle = !this.running && this.shellQueue.length === 0;
    if (idle) {
      this.publish('status', { execution_state: 'busy' }, message);
    }
    try {
      await this.comms.handleMessage(message);
    } catch (error) {
      kernelLog(`comm_msg failed: ${(error as Error).message}`);
    } finally {
      if (idle) {
        this.publish('status', { execution_state: 'idle' }, message);
      }
    }
  }

  /** Cancels the shell task if it was started by `message` (used by comm "cancel" requests). */
  cancelTaskOf(predicate: (message: JupyterMessage) => boolean, reason: Error): boolean {
    if (this.running && predicate(this.running.message)) {
      this.running.controller.abort(reason);
      return true;
    }
    return false;
  }

  private async shutdown(channel: 'shell' | 'control', message: JupyterMessage): Promise<void> {
    const restart = (message.content as { restart?: boolean }).restart === true;
    this.reply(channel, message, 'shutdown_reply', { status: 'ok', restart });
    this.publish('status', { execution_state: 'idle' }, message);
    if (this.shuttingDown) {
      return;
    }
    this.shuttingDown = true;
    this.interrupt();
    // Jupyter restarts a kernel by starting a new process; this one only has to go away cleanly.
    setImmediate(() => void this.stop(0));
  }

  /** Closes the sockets and ends the process. */
  async stop(exitCode: number): Promise<void> {
    try {
      this.typescript?.close();
      await this.channels?.close();
    } finally {
      process.exit(exitCode);
    }
  }

  /** An error thrown outside any cell's control (a timer callback, an unawaited promise). */
  reportStrayError(error: unknown): void {
    const { ename, evalue, traceback } = describeError(error);
    if (this.outputParent) {
      this.stream('stderr', `${traceback.join('\n')}\n`);
    } else {
      kernelLog(`${ename}: ${evalue}`);
    }
  }
}
