import type { JupyterMessage } from './wire';

interface RunningTask {
  message: JupyterMessage;
  controller: AbortController;
}

/**
 * Shell requests run one at a time, in the order they arrived (so a widget's comm request that
 * arrives while a cell runs waits behind it). The request that runs code does so as a task with
 * its own AbortController: an interrupt or a comm "cancel" aborts it.
 *
 * An interrupt stops the queued comm requests too (a widget's decodes), the way Jupyter aborts
 * the cells queued behind an interrupted one: each still runs, with its task aborted from the
 * start, so its handler answers as it does for any cancelled request (the `seed` comm replies
 * `cancelled`) without doing the work.
 */
export class ShellQueue {
  private readonly waiting: JupyterMessage[] = [];
  private draining = false;
  private running?: RunningTask;
  /** Execute requests that a failed cell (with stop_on_error) aborts instead of running. */
  private readonly aborted = new WeakSet<JupyterMessage>();
  /** Comm requests that were queued when an interrupt came, with the interrupt's reason. */
  private readonly interrupted = new WeakMap<JupyterMessage, Error>();

  constructor(private readonly handle: (message: JupyterMessage) => Promise<void>) {}

  push(message: JupyterMessage): void {
    this.waiting.push(message);
    void this.drain();
  }

  /** Nothing runs and nothing waits. */
  get idle(): boolean {
    return !this.running && this.waiting.length === 0;
  }

  /** Whether a task runs now (a cell, a magic, a comm request). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The request whose task runs now, if any. */
  get runningMessage(): JupyterMessage | undefined {
    return this.running?.message;
  }

  /** The signal of the task running now, if any. */
  get currentSignal(): AbortSignal | undefined {
    return this.running?.controller.signal;
  }

  private async drain(): Promise<void> {
    if (this.draining) {
      return;
    }
    this.draining = true;
    try {
      for (let message = this.waiting.shift(); message; message = this.waiting.shift()) {
        await this.handle(message);
      }
    } finally {
      this.draining = false;
    }
  }

  /** Runs `work` as the shell's current task, interruptible through its AbortSignal. */
  async runTask<T>(message: JupyterMessage, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const task: RunningTask = { message, controller: new AbortController() };
    const interruptedBy = this.interrupted.get(message);
    if (interruptedBy) {
      task.controller.abort(interruptedBy);
    }
    this.running = task;
    try {
      return await work(task.controller.signal);
    } finally {
      this.running = undefined;
    }
  }

  /** Aborts the running task, if any, and every queued comm request, with `reason`. */
  interrupt(reason: Error): void {
    this.running?.controller.abort(reason);
    for (const queued of this.waiting) {
      if (queued.header.msg_type === 'comm_msg') {
        this.interrupted.set(queued, reason);
      }
    }
  }

  /** Aborts the running task if it was started by a message `predicate` accepts. */
  cancelTaskOf(predicate: (message: JupyterMessage) => boolean, reason: Error): boolean {
    if (this.running && predicate(this.running.message)) {
      this.running.controller.abort(reason);
      return true;
    }
    return false;
  }

  /** After a failed cell, the cells the user queued behind it are not run (stop_on_error). */
  async abortQueuedExecutes(): Promise<void> {
    // Let requests already delivered by ZeroMQ reach the queue first.
    await new Promise((resolve) => setImmediate(resolve));
    for (const queued of this.waiting) {
      if (queued.header.msg_type === 'execute_request') {
        this.aborted.add(queued);
      }
    }
  }

  /** Whether `message` was aborted by a failed cell before it ran. */
  isAborted(message: JupyterMessage): boolean {
    return this.aborted.has(message);
  }
}
