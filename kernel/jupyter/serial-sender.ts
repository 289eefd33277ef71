/** A socket that can send one multipart message at a time (zeromq.js v6 rejects overlapping sends with EBUSY). */
export interface SendingSocket {
  send(frames: Buffer[]): Promise<void>;
}

/**
 * Queues sends on one socket so they go out one after another, in the order they were asked for.
 * A failed send is reported to `onError` and does not stop the ones after it.
 */
export class SerialSender {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: SendingSocket,
    private readonly onError: (error: Error) => void
  ) {}

  send(frames: Buffer[]): Promise<void> {
    this.tail = this.tail.then(
      () => this.socket.send(frames).catch((error: Error) => this.onError(error)),
      () => undefined
    );
    return this.tail;
  }

  /** Resolves once every send asked for so far has gone out (or failed). */
  drained(): Promise<void> {
    return this.tail;
  }
}
