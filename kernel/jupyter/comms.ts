import type { JsonObject, JupyterMessage } from './wire';

/**
 * Jupyter comms: long-lived channels between a frontend widget and kernel-side code. A target
 * (by name) accepts comms the frontend opens; each comm then exchanges `comm_msg`s until either
 * side sends `comm_close`.
 */

/** Publishes one iopub message (comm_open, comm_msg, comm_close) in reply to `parent`. */
export type CommPublisher = (
  msgType: 'comm_open' | 'comm_msg' | 'comm_close',
  content: JsonObject,
  parent: JupyterMessage | undefined,
  buffers?: Buffer[]
) => void;

export interface CommMessageEvent {
  data: JsonObject;
  buffers: Buffer[];
  /** The shell message that carried it; kernel answers are parented to it. */
  message: JupyterMessage;
}

export class Comm {
  private closed = false;
  /** Handles each message the frontend sends on this comm. */
  onMessage: (event: CommMessageEvent) => void | Promise<void> = () => undefined;
  /** Runs once when the frontend closes the comm. */
  onClose: (data: JsonObject) => void = () => undefined;
  /**
   * Says which messages must not wait behind the running cell (a "cancel" for it); those are
   * handled as soon as they arrive, all others in order on the shell queue. It is called once for
   * each message, as it arrives, so a target can also note what is waiting.
   */
  isUrgent: (data: JsonObject) => boolean = () => false;

  constructor(
    readonly id: string,
    readonly targetName: string,
    private readonly publish: CommPublisher,
    private readonly forget: (comm: Comm) => void
  ) {}

  /** Sends data to the frontend side of the comm, as a reply to `parent` when given. */
  send(data: JsonObject, parent?: JupyterMessage, buffers: Buffer[] = []): void {
    if (this.closed) {
      throw new Error(`Comm ${this.id} (${this.targetName}) is closed; open a new one to send more.`);
    }
    this.publish('comm_msg', { comm_id: this.id, data }, parent, buffers);
  }

  /** Closes the comm from the kernel side. */
  close(data: JsonObject = {}, parent?: JupyterMessage): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    this.forget(this);
    this.publish('comm_close', { comm_id: this.id, data }, parent);
  }

  /** The frontend closed it. */
  closedByFrontend(data: JsonObject): void {
    this.closed = true;
    this.forget(this);
    this.onClose(data);
  }
}

/** Accepts a comm the frontend opened on this target; throw to refuse it. */
export type CommTarget = (comm: Comm, data: JsonObject, message: JupyterMessage) => void | Promise<void>;

export class CommManager {
  private readonly targets = new Map<string, CommTarget>();
  private readonly comms = new Map<string, Comm>();

  constructor(private readonly publish: CommPublisher) {}

  registerTarget(name: string, target: CommTarget): void {
    this.targets.set(name, target);
  }

  private track(id: string, targetName: string): Comm {
    const comm = new Comm(id, targetName, this.publish, (closed) => this.comms.delete(closed.id));
    this.comms.set(id, comm);
    return comm;
  }

  /**
   * comm_open from the frontend. An unknown target, or a target that refuses, gets the comm
   * closed straight away, as the messaging spec asks.
   */
  async handleOpen(message: JupyterMessage): Promise<void> {
    const {
      comm_id: id,
      target_name: targetName,
      data
    } = message.content as {
      comm_id: string;
      target_name: string;
      data?: JsonObject;
    };
    const target = this.targets.get(targetName);
    if (!target) {
      this.publish(
        'comm_close',
        { comm_id: id, data: { error: `No comm target '${targetName}' in the SEED kernel.` } },
        message
      );
      return;
    }
    const comm = this.track(id, targetName);
    try {
      await target(comm, data ?? {}, message);
    } catch (error) {
      comm.close({ error: (error as Error).message }, message);
    }
  }

  async handleMessage(message: JupyterMessage): Promise<void> {
    const { comm_id: id, data } = message.content as { comm_id: string; data?: JsonObject };
    const comm = this.comms.get(id);
    if (!comm) {
      throw new Error(`comm_msg for unknown comm ${id}; open it with comm_open first.`);
    }
    await comm.onMessage({ data: data ?? {}, buffers: message.buffers, message });
  }

  handleClose(message: JupyterMessage): void {
    const { comm_id: id, data } = message.content as { comm_id: string; data?: JsonObject };
    this.comms.get(id)?.closedByFrontend(data ?? {});
  }

  /** The comm_info_reply's `comms`: open comms, only those of `targetName` when given. */
  info(targetName?: string): Record<string, { target_name: string }> {
    const comms: Record<string, { target_name: string }> = {};
    for (const comm of this.comms.values()) {
      if (!targetName || comm.targetName === targetName) {
        comms[comm.id] = { target_name: comm.targetName };
      }
    }
    return comms;
  }

  get(id: string): Comm | undefined {
    return this.comms.get(id);
  }
}
