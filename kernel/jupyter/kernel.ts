import { randomUUID } from 'node:crypto';
import type { KernelChannels, ReplyChannel } from './channels';
import { CommManager } from './comms';
import { describeError } from './error-content';
import { Execution, MagicHandler } from './execute';
import { History } from './history';
import { kernelLog } from './kernel-log';
import { DisplayOptions, KernelOutput } from './kernel-output';
import { MimeBundle } from './mime-bundle';
import { RequestHandlers } from './requests';
import { ShellQueue } from './shell-queue';
import { InterruptedError, TypeScriptExecutor } from './typescript-executor';
import { JsonObject, JupyterMessage } from './wire';

export type { CellContext, MagicHandler } from './execute';
export type { DisplayOptions } from './kernel-output';

/**
 * The SEED kernel's message loop: routes each Jupyter request to its handler and announces
 * busy / idle around it. Shell requests run one at a time, in the order they arrived (shell-queue.ts);
 * control requests (interrupt, shutdown, kernel_info) are handled as soon as they arrive. The work
 * itself lives beside this file: execute.ts (cells), requests.ts (read-only replies),
 * kernel-output.ts (everything sent), comms.ts (widget channels).
 */

export interface KernelOptions {
  /** Folder cells resolve imports and relative paths from. */
  rootDir: string;
  implementationVersion: string;
  /** Declarations every cell is type-checked against. */
  prelude?: string;
  /** Values every cell sees as globals. */
  globals?: Record<string, unknown>;
}

type RequestChannel = 'shell' | 'control';

export class SeedKernel {
  readonly session = randomUUID();
  readonly comms: CommManager;
  private readonly output = new KernelOutput(this.session);
  private readonly history = new History();
  private readonly queue = new ShellQueue((message) => this.handle('shell', message));
  private readonly execution: Execution;
  private readonly requests: RequestHandlers;
  private typescript?: TypeScriptExecutor;
  private magics?: MagicHandler;
  private channels?: KernelChannels;
  private shuttingDown = false;

  constructor(private readonly options: KernelOptions) {
    this.comms = new CommManager((msgType, content, parent, buffers) =>
      this.output.publish(msgType, content, parent ?? this.output.parent, buffers)
    );
    const services = {
      history: this.history,
      executor: () => this.executor,
      magics: () => this.magics
    };
    this.execution = new Execution({ ...services, output: this.output, queue: this.queue });
    this.requests = new RequestHandlers({
      ...services,
      comms: this.comms,
      implementationVersion: options.implementationVersion
    });
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
      tslabModule: () => this.output.tslabDisplayModule((bundle, options) => this.display(bundle, options))
    });
    return this.typescript;
  }

  attach(channels: KernelChannels): void {
    this.channels = channels;
    this.output.attach(channels);
    this.output.publish('status', { execution_state: 'starting' }, undefined);
    // Warm the compiler once the startup requests are answered, unless a cell already did.
    setTimeout(() => {
      if (this.queue.idle) {
        void this.executor;
      }
    }, 500).unref();
  }

  useMagics(magics: MagicHandler): void {
    this.magics = magics;
  }

  /** The signal of the shell request running now, if any (the `seed` API passes it on). */
  get currentSignal(): AbortSignal | undefined {
    return this.queue.currentSignal;
  }

  /** The request outputs currently belong to. */
  get currentMessage(): JupyterMessage | undefined {
    return this.queue.runningMessage ?? this.output.parent;
  }

  /** Clears the outputs of the running cell (at the next output when `wait`). */
  clearOutput(wait = false, parent = this.currentMessage): void {
    this.output.clearOutput(wait, parent);
  }

  display(bundle: MimeBundle, options: DisplayOptions = {}, parent = this.currentMessage): void {
    this.output.display(bundle, options, parent);
  }

  /** Asks the frontend for a line of text while a cell runs (see execute.ts). */
  requestInput(prompt: string, password = false): Promise<string> {
    return this.execution.requestInput(prompt, password);
  }

  // ---- incoming ------------------------------------------------------------------------------

  onShell(message: JupyterMessage): void {
    if (message.header.msg_type === 'comm_msg' && this.isUrgentCommMessage(message)) {
      void this.handleUrgentComm(message);
      return;
    }
    this.queue.push(message);
  }

  onControl(message: JupyterMessage): void {
    void this.handle('control', message);
  }

  onStdin(message: JupyterMessage): void {
    if (message.header.msg_type !== 'input_reply') {
      kernelLog(`ignored ${message.header.msg_type} on stdin`);
      return;
    }
    this.execution.onInputReply(message);
  }

  /**
   * A client subscribed to iopub: the welcome (messaging spec 5.5) tells it that its subscription
   * is ready, so it can send requests without losing their output. Every client gets the welcome
   * of each new subscription; the spec asks clients to ignore the ones after their first.
   */
  onIopubSubscription(topic: Buffer): void {
    this.output.welcome(topic);
  }

  /**
   * Stops what the shell is running: a synchronous cell is broken by the SIGINT itself (vm's
   * breakOnSigint); an awaiting cell, a magic or a comm operation through its AbortSignal.
   */
  interrupt(): void {
    this.queue.interrupt(new InterruptedError());
  }

  /** Cancels the shell task if it was started by `message` (used by comm "cancel" requests). */
  cancelTaskOf(predicate: (message: JupyterMessage) => boolean, reason: Error): boolean {
    return this.queue.cancelTaskOf(predicate, reason);
  }

  private async handle(channel: RequestChannel, message: JupyterMessage): Promise<void> {
    // A control request while a cell runs must not announce "idle" for the whole kernel.
    const announce = channel === 'shell' || !this.queue.busy;
    if (announce) {
      this.output.publish('status', { execution_state: 'busy' }, message);
    }
    try {
      await this.dispatch(channel, message);
    } catch (error) {
      kernelLog(`${message.header.msg_type} failed: ${(error as Error).stack ?? String(error)}`);
      // The frontend waits for a reply to each request; an error reply ends the wait.
      if (message.header.msg_type.endsWith('_request')) {
        const replyType = message.header.msg_type.replace(/_request$/, '_reply');
        this.output.reply(channel, message, replyType, { status: 'error', ...describeError(error) });
      }
    } finally {
      if (announce) {
        this.output.publish('status', { execution_state: 'idle' }, message);
      }
    }
  }

  private async dispatch(channel: RequestChannel, message: JupyterMessage): Promise<void> {
    const type = message.header.msg_type;
    const reply = (content: JsonObject): void =>
      this.output.reply(channel, message, type.replace(/_request$/, '_reply'), content);
    const content = message.content;
    switch (type) {
      case 'kernel_info_request':
        reply(this.requests.kernelInfo());
        return;
      case 'execute_request':
        await this.execution.execute(channel, message);
        return;
      case 'complete_request':
        reply(this.requests.complete(content));
        return;
      case 'inspect_request':
        reply(this.requests.inspect(content));
        return;
      case 'is_complete_request':
        reply(this.requests.isComplete(content));
        return;
      case 'history_request':
        reply(this.requests.history(content));
        return;
      case 'comm_info_request':
        reply(this.requests.commInfo(content));
        return;
      case 'comm_open':
        await this.queue.runTask(message, () => this.comms.handleOpen(message));
        return;
      case 'comm_msg':
        await this.queue.runTask(message, () => this.comms.handleMessage(message));
        return;
      case 'comm_close':
        this.comms.handleClose(message);
        return;
      case 'interrupt_request':
        // The control worker already raised SIGINT, whose handler interrupts (see control-worker.ts).
        reply({ status: 'ok' });
        return;
      case 'shutdown_request':
        this.shutdown(channel, message);
        return;
      default:
        kernelLog(`no handler for ${type} on ${channel}; ignored`);
    }
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
    const idle = this.queue.idle;
    if (idle) {
      this.output.publish('status', { execution_state: 'busy' }, message);
    }
    try {
      await this.comms.handleMessage(message);
    } catch (error) {
      kernelLog(`comm_msg failed: ${(error as Error).message}`);
    } finally {
      if (idle) {
        this.output.publish('status', { execution_state: 'idle' }, message);
      }
    }
  }

  private shutdown(channel: ReplyChannel, message: JupyterMessage): void {
    const restart = (message.content as { restart?: boolean }).restart === true;
    this.output.reply(channel, message, 'shutdown_reply', { status: 'ok', restart });
    this.output.publish('status', { execution_state: 'idle' }, message);
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
    if (this.output.parent) {
      this.output.stream('stderr', `${traceback.join('\n')}\n`);
    } else {
      kernelLog(`${ename}: ${evalue}`);
    }
  }
}
